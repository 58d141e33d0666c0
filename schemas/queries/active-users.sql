-- name: active-users
-- answers: How many distinct signed-in users were active in the day, week and 30 days before "to" (DAU/WAU/MAU)?
-- params: service String = '', to DateTime64(3)
SELECT
  uniqExactIf(user_id, timestamp >= {to:DateTime64(3)} - INTERVAL 1 DAY) AS dau,
  uniqExactIf(user_id, timestamp >= {to:DateTime64(3)} - INTERVAL 7 DAY) AS wau,
  uniqExact(user_id) AS mau
FROM access_log
WHERE timestamp >= {to:DateTime64(3)} - INTERVAL 30 DAY AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})
  AND user_id != ''
