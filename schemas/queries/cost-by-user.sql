-- name: cost-by-user
-- answers: What did each user cost in external calls (tokens and USD), read from the daily rollup?
-- params: service String = '', from DateTime64(3), to DateTime64(3), limit UInt32 = 50
-- source: rollup
-- Reads the daily rollup: the window counts every whole day it touches (the .raw form is exact to the millisecond).
SELECT
  user_id,
  sum(calls) AS calls,
  sum(input_tokens) AS input_tokens,
  sum(output_tokens) AS output_tokens,
  round(toFloat64(sum(cost_usd)), 6) AS cost_usd
FROM external_cost_daily
WHERE day >= toDate({from:DateTime64(3)}) AND day <= toDate({to:DateTime64(3)} - INTERVAL 1 MILLISECOND)
  AND ({service:String} = '' OR service = {service:String})
GROUP BY user_id
ORDER BY cost_usd DESC, user_id
LIMIT {limit:UInt32}
