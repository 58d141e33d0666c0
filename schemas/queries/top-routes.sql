-- name: top-routes
-- answers: Which endpoints are the most popular (requests, unique users, errors)? Whole days from the daily rollup, partial edge days from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), limit UInt32 = 20, offset UInt32 = 0
-- source: rollup
-- Exact for any window: the whole UTC days inside [from, to) come from the rollup, the rest of the window (the
-- partial first and last day) from access_log, and the states of both are merged (README: "Rollup and raw forms").
-- The page is picked first from request counts alone (sums: cheap), and only its endpoints' unique-user states are
-- merged: merging every endpoint's states was 95% of the time (1.3 s on 10M rows, bench/RESULTS.md). Both passes
-- order by (requests DESC, service, method, route), so they agree on the page.
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start,
    page AS
    (
      SELECT service, method, route
      FROM
      (
        SELECT service, method, route, CAST(requests AS UInt64) AS part_requests
        FROM access_route_daily
        WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
        UNION ALL
        SELECT service, method, route, count()
        FROM access_log
        WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
          AND ({service:String} = '' OR service = {service:String})
        GROUP BY service, method, route
      )
      GROUP BY service, method, route
      ORDER BY sum(part_requests) DESC, service, method, route
      LIMIT {limit:UInt32} OFFSET {offset:UInt32}
    )
SELECT
  service,
  method,
  route,
  sum(part_requests) AS requests,
  uniqMerge(part_users) AS unique_users,
  sum(part_errors) AS errors
FROM
(
  SELECT service, method, route, CAST(requests AS UInt64) AS part_requests, users AS part_users, CAST(errors AS UInt64) AS part_errors
  FROM access_route_daily
  WHERE day >= whole_from AND day < whole_to
    AND ({service:String} = '' OR service = {service:String})
    AND (service, method, route) IN page
  UNION ALL
  SELECT service, method, route, count(), uniqState(nullIf(user_id, '')), countIf(status >= 500)
  FROM access_log
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
    AND ({service:String} = '' OR service = {service:String})
    AND (service, method, route) IN page
  GROUP BY service, method, route
)
GROUP BY service, method, route
ORDER BY requests DESC, service, method, route
LIMIT {limit:UInt32}
