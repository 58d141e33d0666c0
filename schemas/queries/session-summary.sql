-- name: session-summary
-- answers: One session at a glance: its user, first and last request, duration, pages, device, browser, OS and address.
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), session String
SELECT
  argMax(user_id, timestamp) AS user_id,
  min(timestamp) AS first_seen,
  max(timestamp) AS last_seen,
  toFloat64(dateDiff('millisecond', min(timestamp), max(timestamp))) / 1000 AS duration_s,
  count() AS requests,
  argMax(device_type, timestamp) AS device_type,
  argMax(browser, timestamp) AS browser,
  argMax(os, timestamp) AS os,
  replaceRegexpOne(toString(argMax(client_ip, timestamp)), '^::ffff:', '') AS ip,
  argMax(user_agent, timestamp) AS user_agent
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND session_id = {session:String}
HAVING count() > 0
