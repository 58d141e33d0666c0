-- name: route-users-per-day
-- answers: How many distinct signed-in users (and requests) did each endpoint have per UTC day? Whole days from the daily rollup, partial days from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), route String = '', limit UInt32 = 1000, offset UInt32 = 0
-- source: rollup
-- Exact for any window: whole UTC days inside [from, to) from the rollup, the partial first and last day from raw
-- rows, their states merged (README: "Rollup and raw forms").
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start
SELECT
  day,
  service,
  method,
  route,
  uniqMerge(part_users) AS unique_users,
  sum(part_requests) AS requests
FROM
(
  SELECT day, service, method, route, users AS part_users, CAST(requests AS UInt64) AS part_requests
  FROM access_route_daily
  WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String})
    AND ({route:String} = '' OR route = {route:String})
  UNION ALL
  SELECT toDate(timestamp) AS day, service, method, route, uniqState(nullIf(user_id, '')), count()
  FROM access_log
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
    AND ({service:String} = '' OR service = {service:String})
    AND ({route:String} = '' OR route = {route:String})
  GROUP BY day, service, method, route
)
GROUP BY day, service, method, route
ORDER BY day, unique_users DESC, service, method, route
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
