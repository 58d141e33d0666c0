-- name: device-mix
-- answers: Which device types, browsers and operating systems do requests come from? Whole days from the daily rollup, partial days from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), limit UInt32 = 50, offset UInt32 = 0
-- source: rollup
-- Exact for any window: whole UTC days inside [from, to) from the rollup, the partial first and last day from raw
-- rows, their states merged (README: "Rollup and raw forms").
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start
SELECT
  device_type,
  browser,
  os,
  sum(part_requests) AS requests,
  uniqMerge(part_sessions) AS sessions
FROM
(
  SELECT device_type, browser, os, CAST(requests AS UInt64) AS part_requests, sessions AS part_sessions
  FROM access_client_daily
  WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
  UNION ALL
  SELECT device_type, browser, os, count(), uniqState(nullIf(session_id, ''))
  FROM access_log
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String})
  GROUP BY device_type, browser, os
)
GROUP BY device_type, browser, os
ORDER BY requests DESC, device_type, browser, os
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
