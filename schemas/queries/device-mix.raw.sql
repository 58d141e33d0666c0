-- name: device-mix.raw
-- answers: Which device types, browsers and operating systems do requests come from, read from raw access rows?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), limit UInt32 = 50, offset UInt32 = 0
-- Distinct sessions with uniq() of the session id, the sketch the rollup stores, so both forms agree at any size.
-- Whole UTC days from access_log's client_day projection (migration 019), the partial first and last day from its
-- rows, their uniq() states merged (the same value in any grouping).
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
  SELECT device_type, browser, os, count() AS part_requests, uniqState(nullIf(session_id, '')) AS part_sessions
  FROM access_log
  WHERE toDate(timestamp) >= whole_from AND toDate(timestamp) < whole_to AND ({service:String} = '' OR service = {service:String})
  GROUP BY device_type, browser, os
  UNION ALL
  SELECT device_type, browser, os, count(), uniqState(nullIf(session_id, ''))
  FROM access_log
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String})
  GROUP BY device_type, browser, os
)
GROUP BY device_type, browser, os
ORDER BY requests DESC, device_type, browser, os
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
