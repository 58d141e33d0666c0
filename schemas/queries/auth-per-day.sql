-- name: auth-per-day
-- answers: How many signups, logins, failed logins, logouts (every auth event) per day, read from the daily rollup?
-- params: service String = '', from DateTime64(3), to DateTime64(3)
-- source: rollup
-- Reads the daily rollup: the window counts every whole day it touches (the .raw form is exact to the millisecond).
SELECT
  day,
  event,
  success,
  sum(events) AS events,
  uniqMerge(users) AS unique_users
FROM auth_daily
WHERE day >= toDate({from:DateTime64(3)}) AND day <= toDate({to:DateTime64(3)} - INTERVAL 1 MILLISECOND)
  AND ({service:String} = '' OR service = {service:String})
GROUP BY day, event, success
ORDER BY day, event, success
