-- name: daily-active-users
-- answers: How many distinct signed-in users were active on each day, read from the daily rollup?
-- params: service String = '', from DateTime64(3), to DateTime64(3)
-- source: rollup
-- Reads the daily rollup: the window counts every whole day it touches (the .raw form is exact to the millisecond).
SELECT
  day,
  uniqMerge(users) AS active_users,
  sum(signed_in_requests) AS requests
FROM access_client_daily
WHERE day >= toDate({from:DateTime64(3)}) AND day <= toDate({to:DateTime64(3)} - INTERVAL 1 MILLISECOND)
  AND ({service:String} = '' OR service = {service:String})
GROUP BY day
HAVING requests > 0
ORDER BY day
