-- name: trends.raw
-- answers: Requests, distinct users, errors, auth events and cost per UTC day, ISO week (Monday) or month (period=day|week|month), each with its change against the previous period as a fraction, from raw rows.
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), period String = 'day'
-- uniq() of the user id, the sketch the rollups store, so both forms agree at any size.
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
    SELECT multiIf({period:String} = 'day', day, {period:String} = 'week', toMonday(day), toStartOfMonth(day)) AS bucket, countIf(kind = 'access') AS requests, uniq(nullIf(user_id, '')) AS users, countIf(kind = 'access' AND status >= 500) AS errors,
      countIf(kind = 'auth') AS auth_events, toFloat64(sum(cost)) AS cost_usd
    FROM
    (
      SELECT toDate(timestamp) AS day, 'access' AS kind, user_id, status, toDecimal128(0, 9) AS cost FROM access_log WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String})
      UNION ALL
      SELECT toDate(timestamp), 'auth', user_id, toUInt16(0), toDecimal128(0, 9) FROM auth_events WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String})
      UNION ALL
      SELECT toDate(timestamp), 'external', user_id, toUInt16(0), toDecimal128(ifNull(cost_usd, toDecimal64(0, 9)), 9) FROM external_calls WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String})
      UNION ALL
      SELECT toDate(timestamp), 'activity', user_id, toUInt16(0), toDecimal128(0, 9) FROM activities WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String}) AND service != 'otel-activity'
    )
    WHERE throwIf({period:String} NOT IN ('day', 'week', 'month'), 'trends: period must be day, week or month') = 0
    GROUP BY bucket
  )
  WINDOW w AS (ORDER BY bucket ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)
)
ORDER BY bucket
