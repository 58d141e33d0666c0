-- name: daily-active-users
-- answers: How many distinct signed-in users were active on each day?
-- params: service String = '', from DateTime64(3), to DateTime64(3)
SELECT
  toDate(timestamp) AS day,
  uniqExact(user_id) AS active_users,
  count() AS requests
FROM access_log
WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})
  AND user_id != ''
GROUP BY day
ORDER BY day
