-- name: cost-per-day
-- answers: What did external calls cost per day, read from the daily rollup?
-- params: service String = '', from DateTime64(3), to DateTime64(3)
-- source: rollup
-- Reads the daily rollup: the window counts every whole day it touches (the .raw form is exact to the millisecond).
SELECT
  day,
  sum(calls) AS calls,
  sum(input_tokens) AS input_tokens,
  sum(output_tokens) AS output_tokens,
  round(toFloat64(sum(cost_usd)), 6) AS cost_usd
FROM external_cost_daily
WHERE day >= toDate({from:DateTime64(3)}) AND day <= toDate({to:DateTime64(3)} - INTERVAL 1 MILLISECOND)
  AND ({service:String} = '' OR service = {service:String})
GROUP BY day
ORDER BY day
