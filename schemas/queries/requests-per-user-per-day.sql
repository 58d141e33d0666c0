-- name: requests-per-user-per-day
-- answers: How many requests did each signed-in user make per day?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), user String = '', limit UInt32 = 1000, offset UInt32 = 0
SELECT
  toDate(timestamp) AS day,
  user_id,
  count() AS requests,
  countIf(status >= 500) AS errors
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND user_id != ''
  AND ({user:String} = '' OR user_id = {user:String})
GROUP BY day, user_id
ORDER BY day, requests DESC, user_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
