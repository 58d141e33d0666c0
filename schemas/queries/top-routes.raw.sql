-- name: top-routes.raw
-- answers: Which endpoints are the most popular (requests, unique users, errors), read from raw access rows?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), limit UInt32 = 20, offset UInt32 = 0
-- uniq() of the user id, the sketch the rollup stores, so both forms agree at any size.
-- Whole UTC days are read from access_log's route_day projection (migration 019), the partial first and last day
-- from its rows; uniq() states merge to the same value in any grouping, so the figures are a scan's. The page is
-- picked from request counts first and only its endpoints' user states are merged (every endpoint's uniq() over
-- 10M rows was 2.0 s, bench/RESULTS.md); both passes order by (requests DESC, service, method, route).
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
        SELECT service, method, route, count() AS part_requests
        FROM access_log
        WHERE toDate(timestamp) >= whole_from AND toDate(timestamp) < whole_to AND ({service:String} = '' OR service = {service:String})
        GROUP BY service, method, route
        UNION ALL
        SELECT service, method, route, count()
        FROM access_log
        WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String})
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
  SELECT service, method, route, count() AS part_requests, uniqState(nullIf(user_id, '')) AS part_users, countIf(status >= 500) AS part_errors
  FROM access_log
  WHERE toDate(timestamp) >= whole_from AND toDate(timestamp) < whole_to AND ({service:String} = '' OR service = {service:String}) AND (service, method, route) IN page
  GROUP BY service, method, route
  UNION ALL
  SELECT service, method, route, count(), uniqState(nullIf(user_id, '')), countIf(status >= 500)
  FROM access_log
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) AND (service, method, route) IN page
  GROUP BY service, method, route
)
GROUP BY service, method, route
ORDER BY requests DESC, service, method, route
LIMIT {limit:UInt32}
