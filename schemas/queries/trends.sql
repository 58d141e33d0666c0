-- name: trends
-- answers: Requests, distinct users, errors, auth events and cost per UTC day, ISO week (Monday) or month (period=day|week|month), each with its change against the previous period as a fraction. Whole days from the rollups, partial days from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), period String = 'day'
-- source: rollup
-- Exact for any window: whole UTC days inside [from, to) from the rollups, the partial first and last day from raw
-- rows (README: "Rollup and raw forms"). users: anyone seen in requests, auth events, external calls or activities,
-- by merging uniq() states, as daily-active-users does. The first and last bucket hold only the window's part.
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start
SELECT
  bucket,
  requests,
  users,
  errors,
  auth_events,
  cost_usd,
  -- Change against the bucket just before, NULL when that period is not in the window or had none.
  if(prev_bucket = expected_prev AND prev_requests > 0, round((toFloat64(requests) - prev_requests) / prev_requests, 4), NULL) AS requests_change_ratio,
  if(prev_bucket = expected_prev AND prev_users > 0, round((toFloat64(users) - prev_users) / prev_users, 4), NULL) AS users_change_ratio,
  if(prev_bucket = expected_prev AND prev_errors > 0, round((toFloat64(errors) - prev_errors) / prev_errors, 4), NULL) AS errors_change_ratio,
  if(prev_bucket = expected_prev AND prev_auth_events > 0, round((toFloat64(auth_events) - prev_auth_events) / prev_auth_events, 4), NULL) AS auth_events_change_ratio,
  if(prev_bucket = expected_prev AND prev_cost > 0, round((cost_usd - prev_cost) / prev_cost, 4), NULL) AS cost_change_ratio
FROM
(
  SELECT
    *,
    multiIf({period:String} = 'day', bucket - 1, {period:String} = 'week', bucket - 7, addMonths(bucket, -1)) AS expected_prev,
    lagInFrame(bucket, 1, toDate('1970-01-01')) OVER w AS prev_bucket,
    lagInFrame(toFloat64(requests), 1, 0.) OVER w AS prev_requests,
    lagInFrame(toFloat64(users), 1, 0.) OVER w AS prev_users,
    lagInFrame(toFloat64(errors), 1, 0.) OVER w AS prev_errors,
    lagInFrame(toFloat64(auth_events), 1, 0.) OVER w AS prev_auth_events,
    lagInFrame(cost_usd, 1, 0.) OVER w AS prev_cost
  FROM
  (
    SELECT multiIf({period:String} = 'day', day, {period:String} = 'week', toMonday(day), toStartOfMonth(day)) AS bucket, sum(part_requests) AS requests, uniqMerge(part_users) AS users, sum(part_errors) AS errors,
      sum(part_auth) AS auth_events, toFloat64(sum(part_cost)) AS cost_usd
    FROM
    (
      -- Whole days: users from active_users_daily (requests, auth events, external calls and activities: one state per
      -- day for the service, or for all: service ''), the figures beside an empty state.
      SELECT day, toUInt64(0) AS part_requests, toUInt64(0) AS part_errors, toUInt64(0) AS part_auth, toDecimal128(0, 9) AS part_cost, users AS part_users
      FROM active_users_daily WHERE day >= whole_from AND day < whole_to AND service = {service:String}
      UNION ALL
      SELECT day, sum(CAST(requests AS UInt64)), sum(CAST(errors AS UInt64)), toUInt64(0), toDecimal128(0, 9), uniqState(CAST(NULL, 'Nullable(String)'))
      FROM access_route_daily WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String}) GROUP BY day
      UNION ALL
      SELECT day, toUInt64(0), toUInt64(0), sum(CAST(events AS UInt64)), toDecimal128(0, 9), uniqState(CAST(NULL, 'Nullable(String)'))
      FROM auth_daily WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String}) GROUP BY day
      UNION ALL
      -- Summed in a subquery of its own, which the rollup's per-provider projection answers (migration 016).
      SELECT day, toUInt64(0), toUInt64(0), toUInt64(0), cost, initializeAggregation('uniqState', CAST(NULL, 'Nullable(String)'))
      FROM (SELECT day, sum(cost_usd) AS cost FROM external_cost_daily WHERE day >= whole_from AND day < whole_to AND ({service:String} = '' OR service = {service:String}) GROUP BY day)
      UNION ALL
      SELECT toDate(timestamp) AS day, count(), countIf(status >= 500), toUInt64(0), toDecimal128(0, 9), uniqState(nullIf(user_id, ''))
      FROM access_log WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) GROUP BY day
      UNION ALL
      SELECT toDate(timestamp) AS day, toUInt64(0), toUInt64(0), count(), toDecimal128(0, 9), uniqState(nullIf(user_id, ''))
      FROM auth_events WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) GROUP BY day
      UNION ALL
      SELECT toDate(timestamp) AS day, toUInt64(0), toUInt64(0), toUInt64(0), sum(ifNull(cost_usd, toDecimal64(0, 9))), uniqState(nullIf(user_id, ''))
      FROM external_calls WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) GROUP BY day
      UNION ALL
      SELECT toDate(timestamp) AS day, toUInt64(0), toUInt64(0), toUInt64(0), toDecimal128(0, 9), uniqState(nullIf(user_id, ''))
      FROM activities WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) AND service != 'otel-activity' GROUP BY day
    )
    WHERE throwIf({period:String} NOT IN ('day', 'week', 'month'), 'trends: period must be day, week or month') = 0
    GROUP BY bucket
  )
  WINDOW w AS (ORDER BY bucket ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
)
ORDER BY bucket
