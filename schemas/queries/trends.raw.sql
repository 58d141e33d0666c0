-- name: trends.raw
-- answers: Requests, distinct users, errors, auth events and cost per UTC day, ISO week (Monday) or month (period=day|week|month), each with its change against the previous period as a fraction, from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), period String = 'day'
-- uniq() of the user id, the sketch the rollups store, so both forms agree at any size.
-- access_log's whole UTC days from its service_day projection (migration 019), the partial first and last day from
-- its rows; every table's figures and uniq() states per day are merged into the buckets once.
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
    SELECT multiIf({period:String} = 'day', day, {period:String} = 'week', toMonday(day), toStartOfMonth(day)) AS bucket, sum(day_requests) AS requests,
      uniqMerge(day_users) AS users, sum(day_errors) AS errors, sum(day_auth_events) AS auth_events, toFloat64(sum(day_cost)) AS cost_usd
    FROM
    (
      SELECT toDate(timestamp) AS day, count() AS day_requests, uniqState(nullIf(user_id, '')) AS day_users, countIf(status >= 500) AS day_errors,
        toUInt64(0) AS day_auth_events, toDecimal128(0, 9) AS day_cost
      FROM access_log WHERE toDate(timestamp) >= whole_from AND toDate(timestamp) < whole_to AND ({service:String} = '' OR service = {service:String}) GROUP BY day
      UNION ALL
      SELECT toDate(timestamp) AS day, count(), uniqState(nullIf(user_id, '')), countIf(status >= 500), toUInt64(0), toDecimal128(0, 9)
      FROM access_log WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')})) AND ({service:String} = '' OR service = {service:String}) GROUP BY day
      UNION ALL
      SELECT toDate(timestamp) AS day, toUInt64(0), uniqState(nullIf(user_id, '')), toUInt64(0), count(), toDecimal128(0, 9)
      FROM auth_events WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String}) GROUP BY day
      UNION ALL
      SELECT toDate(timestamp) AS day, toUInt64(0), uniqState(nullIf(user_id, '')), toUInt64(0), toUInt64(0), sum(toDecimal128(ifNull(cost_usd, toDecimal64(0, 9)), 9))
      FROM external_calls WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String}) GROUP BY day
      UNION ALL
      SELECT toDate(timestamp) AS day, toUInt64(0), uniqState(nullIf(user_id, '')), toUInt64(0), toUInt64(0), toDecimal128(0, 9)
      FROM activities WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String}) AND service != 'otel-activity' GROUP BY day
    )
    WHERE throwIf({period:String} NOT IN ('day', 'week', 'month'), 'trends: period must be day, week or month') = 0
    GROUP BY bucket
  )
  WINDOW w AS (ORDER BY bucket ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
)
ORDER BY bucket
-- The smallest projection that holds these figures; without the hint ClickHouse may take route_day (one mark per part
-- in both), whose per-endpoint user states were 820 of daily-active-users.raw's 820 ms on the 10M-row bench.
SETTINGS preferred_optimize_projection_name = 'service_day'
