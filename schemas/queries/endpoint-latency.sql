-- name: endpoint-latency
-- answers: What are p50/p95/p99 latency and the error ratio of each endpoint? Whole days from the daily rollup, partial days from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), route String = '', limit UInt32 = 50, offset UInt32 = 0
-- source: rollup
-- Exact for any window: whole UTC days inside [from, to) from the rollup, the partial first and last day from raw
-- rows, their states merged (README: "Rollup and raw forms").
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
  round(quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(part_quantiles)[1], 3) AS p50_ms,
  round(quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(part_quantiles)[3], 3) AS p95_ms,
  round(quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(part_quantiles)[4], 3) AS p99_ms,
  sum(part_errors) AS errors,
  round(errors / requests, 4) AS error_ratio
FROM
(
  SELECT service, method, route, CAST(requests AS UInt64) AS part_requests, duration_ms_quantiles AS part_quantiles, CAST(errors AS UInt64) AS part_errors
  FROM access_route_daily
  WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
    AND ({route:String} = '' OR route = {route:String})
  UNION ALL
  SELECT service, method, route, count(), quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(duration_ms), countIf(status >= 500)
  FROM access_log
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String})
    AND ({route:String} = '' OR route = {route:String})
  GROUP BY service, method, route
)
GROUP BY service, method, route
ORDER BY requests DESC, service, method, route
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
