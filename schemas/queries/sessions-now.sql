-- name: sessions-now
-- answers: Which sessions are open right now, and are they active, idle or about to expire (by minutes since their last request)?
-- params: service String = '', environment String = '', to DateTime64(3, 'UTC'), idle_minutes UInt32 = 15, expire_minutes UInt32 = 25, ttl_minutes UInt32 = 30, limit UInt32 = 100, offset UInt32 = 0
-- "Now" is the window's end ("to", the current time for --since and the dashboard's presets), so a report is
-- repeatable. A session unseen for ttl_minutes is taken as expired and left out.
SELECT
  session_id,
  argMax(user_id, timestamp) AS user_id,
  max(timestamp) AS last_seen,
  round(dateDiff('second', max(timestamp), {to:DateTime64(3, 'UTC')}) / 60, 1) AS idle_for_minutes,
  multiIf(
    max(timestamp) > {to:DateTime64(3, 'UTC')} - toIntervalMinute({idle_minutes:UInt32}), 'active',
    max(timestamp) > {to:DateTime64(3, 'UTC')} - toIntervalMinute({expire_minutes:UInt32}), 'idle',
    'about to expire') AS status,
  argMax(path, timestamp) AS last_path,
  argMax(route, timestamp) AS last_route,
  count() AS requests,
  replaceRegexpOne(toString(argMax(client_ip, timestamp)), '^::ffff:', '') AS ip,
  -- The thresholds the status used, so a reader (the dashboard's legend) can say them.
  {idle_minutes:UInt32} AS idle_minutes,
  {expire_minutes:UInt32} AS expire_minutes,
  {ttl_minutes:UInt32} AS ttl_minutes
FROM access_log
WHERE timestamp >= {to:DateTime64(3, 'UTC')} - toIntervalMinute({ttl_minutes:UInt32}) AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND session_id != ''
GROUP BY session_id
ORDER BY last_seen DESC, session_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
