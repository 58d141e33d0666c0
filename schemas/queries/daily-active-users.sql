-- name: daily-active-users
-- answers: How many distinct signed-in users were active on each UTC day (seen in requests, auth events, external calls or custom activities), and how many requests came in?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
-- source: rollup
-- Exact for any window: whole UTC days inside [from, to) from the rollup, the partial first and last day from raw
-- rows, their states merged (README: "Rollup and raw forms").
-- A user counts wherever they appear: the uniq() states of active_users_daily (requests, auth events, external
-- calls and custom activities, dashboard audit rows excluded: one state per day for the service, or for all services
-- under service '', migrations 015, 024 and 025) merge into one distinct count; requests are summed from
-- access_client_daily.
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start
SELECT
  day,
  uniqMerge(part_users) AS active_users,
  sum(part_requests) AS requests
FROM
(
  SELECT day, users AS part_users, toUInt64(0) AS part_requests
  FROM active_users_daily WHERE day >= whole_from AND day < whole_to AND service = {service:String}
  UNION ALL
  -- Requests only: an empty users state beside them.
  SELECT day, uniqState(CAST(NULL, 'Nullable(String)')), sum(CAST(requests AS UInt64))
  FROM access_client_daily WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String}) GROUP BY day
  UNION ALL
  SELECT toDate(timestamp), uniqState(nullIf(user_id, '')), count()
  FROM access_log WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) GROUP BY toDate(timestamp)
  UNION ALL
  SELECT toDate(timestamp), uniqState(nullIf(user_id, '')), toUInt64(0)
  FROM auth_events WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) GROUP BY toDate(timestamp)
  UNION ALL
  SELECT toDate(timestamp), uniqState(nullIf(user_id, '')), toUInt64(0)
  FROM external_calls WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) GROUP BY toDate(timestamp)
  UNION ALL
  SELECT toDate(timestamp), uniqState(nullIf(user_id, '')), toUInt64(0)
  FROM activities WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) AND service != 'otel-activity' GROUP BY toDate(timestamp)
)
GROUP BY day
ORDER BY day
