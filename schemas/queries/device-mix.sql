-- name: device-mix
-- answers: Which device types, browsers and operating systems do requests come from, read from the daily rollup?
-- params: service String = '', from DateTime64(3), to DateTime64(3), limit UInt32 = 50
-- source: rollup
-- Reads the daily rollup: the window counts every whole day it touches (the .raw form is exact to the millisecond).
SELECT
  device_type,
  browser,
  os,
  sum(requests) AS requests,
  uniqMerge(sessions) AS sessions
FROM access_client_daily
WHERE day >= toDate({from:DateTime64(3)}) AND day <= toDate({to:DateTime64(3)} - INTERVAL 1 MILLISECOND)
  AND ({service:String} = '' OR service = {service:String})
GROUP BY device_type, browser, os
ORDER BY requests DESC, device_type, browser, os
LIMIT {limit:UInt32}
