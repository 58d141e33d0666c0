-- name: active-sessions
-- answers: Which sessions were seen in the last N minutes before "to", who is behind them and what page did they see last?
-- params: service String = '', environment String = '', to DateTime64(3, 'UTC'), minutes UInt32 = 15, limit UInt32 = 100, offset UInt32 = 0
SELECT
  session_id,
  argMax(user_id, timestamp) AS user_id,
  max(timestamp) AS last_seen,
  argMax(path, timestamp) AS last_path,
  argMax(route, timestamp) AS last_route,
  count() AS requests,
  replaceRegexpOne(toString(argMax(client_ip, timestamp)), '^::ffff:', '') AS ip
FROM access_log
WHERE timestamp >= {to:DateTime64(3, 'UTC')} - toIntervalMinute({minutes:UInt32}) AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND session_id != ''
GROUP BY session_id
ORDER BY last_seen DESC, session_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
