-- name: after-hours-admin
-- severity: warning
-- answers: Someone using admin routes (/admin) outside working hours.
-- params: now DateTime64(3, 'UTC'), threshold Float64 = 1, window_minutes UInt32 = 60, start_hour UInt8 = 8, end_hour UInt8 = 18, utc_offset_hours Int8 = 0
-- Working hours are [start_hour, end_hour) on a clock utc_offset_hours from UTC; fires when one user (or, when
-- anonymous, one IP) made at least threshold admin requests outside them within the window.
SELECT
  any(service) AS service,
  if(user_id != '', user_id, replaceRegexpOne(toString(client_ip), '^::ffff:', '')) AS subject,
  toFloat64(count()) AS value,
  toJSONString(map(
    'window_minutes', toString({window_minutes:UInt32}),
    'routes', arrayStringConcat(arraySort(groupUniqArray(10)(route)), ' '),
    'first_seen', toString(min(timestamp)),
    'last_seen', toString(max(timestamp)))) AS details
FROM access_log
WHERE timestamp >= {now:DateTime64(3, 'UTC')} - toIntervalMinute({window_minutes:UInt32}) AND timestamp < {now:DateTime64(3, 'UTC')}
  AND (match(route, '(^|/)admin(/|$)') OR match(path, '(^|/)admin(/|$)'))
  AND NOT (toHour(timestamp + toIntervalHour({utc_offset_hours:Int8})) >= {start_hour:UInt8}
           AND toHour(timestamp + toIntervalHour({utc_offset_hours:Int8})) < {end_hour:UInt8})
GROUP BY subject
HAVING value >= {threshold:Float64}
