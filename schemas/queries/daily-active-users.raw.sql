-- name: daily-active-users.raw
-- answers: How many distinct signed-in users were active on each day, read from raw access rows?
-- params: service String = '', from DateTime64(3), to DateTime64(3)
-- Distinct users with uniq(), as the rollup counts them, so both forms return the same numbers.
SELECT
  toDate(timestamp) AS day,
  uniq(user_key) AS active_users,
  count() AS requests
FROM access_log
WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})
  AND user_key != 0
GROUP BY day
ORDER BY day
