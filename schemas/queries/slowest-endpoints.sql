-- name: slowest-endpoints
-- answers: Which endpoints are slowest (by p95), with average and worst latency? Whole days from the daily rollup, partial days from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), min_requests UInt32 = 1, limit UInt32 = 10, offset UInt32 = 0
-- source: rollup
-- Exact for any window: whole UTC days inside [from, to) from the rollup, the partial first and last day from raw
-- rows, their states merged (README: "Rollup and raw forms").
-- max_ms counts from migration 011 on (days rolled up before it have 0 there).
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start
SELECT
  service,
  method,
  route,
  sum(part_requests) AS requests,
  round(sum(part_duration_sum) / requests, 3) AS avg_ms,
  round(quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(part_quantiles)[3], 3) AS p95_ms,
  round(max(part_max), 3) AS max_ms
FROM
(
  SELECT service, method, route, CAST(requests AS UInt64) AS part_requests, CAST(duration_ms_sum AS Float64) AS part_duration_sum,
    duration_ms_quantiles AS part_quantiles, CAST(duration_ms_max AS Float64) AS part_max
  FROM access_route_daily
  WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
  UNION ALL
  SELECT service, method, route, count(), sum(duration_ms), quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(duration_ms), max(duration_ms)
  FROM access_log
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String})
  GROUP BY service, method, route
)
GROUP BY service, method, route
HAVING requests >= {min_requests:UInt32}
ORDER BY p95_ms DESC, avg_ms DESC, service, method, route
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
