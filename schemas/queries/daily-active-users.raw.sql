-- name: daily-active-users.raw
-- answers: How many distinct signed-in users were active on each UTC day (requests, auth events, external calls, custom activities), and how many requests came in, from raw rows?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
-- uniq() of the user id, the sketch the rollups store, so both forms agree at any size.
SELECT
  day,
  uniq(nullIf(user_id, '')) AS active_users,
  countIf(is_request) AS requests
FROM
(
  SELECT toDate(timestamp) AS day, user_id, true AS is_request FROM access_log WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String})
  UNION ALL
  SELECT toDate(timestamp), user_id, false FROM auth_events WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String})
  UNION ALL
  SELECT toDate(timestamp), user_id, false FROM external_calls WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String})
  UNION ALL
  SELECT toDate(timestamp), user_id, false FROM activities WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} AND ({service:String} = '' OR service = {service:String}) AND service != 'otel-activity'
)
GROUP BY day
ORDER BY day
