-- name: device-mix.raw
-- answers: Which device types, browsers and operating systems do requests come from, read from raw access rows?
-- params: service String = '', from DateTime64(3), to DateTime64(3), limit UInt32 = 50
-- Distinct sessions with uniq(), as the rollup counts them, so both forms return the same numbers.
SELECT
  device_type,
  browser,
  os,
  count() AS requests,
  uniqIf(session_key, session_key != 0) AS sessions
FROM access_log
WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY device_type, browser, os
ORDER BY requests DESC, device_type, browser, os
LIMIT {limit:UInt32}
