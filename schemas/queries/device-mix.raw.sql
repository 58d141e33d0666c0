-- name: device-mix.raw
-- answers: Which device types, browsers and operating systems do requests come from, read from raw access rows?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), limit UInt32 = 50, offset UInt32 = 0
-- Distinct sessions with uniq() of the session id, the sketch the rollup stores, so both forms agree at any size.
SELECT
  device_type,
  browser,
  os,
  count() AS requests,
  uniq(nullIf(session_id, '')) AS sessions
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY device_type, browser, os
ORDER BY requests DESC, device_type, browser, os
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
