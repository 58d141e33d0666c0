-- name: user-timeline
-- answers: What did one user do, in order: requests, auth events, external calls (with cost) and custom activities?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), user String, limit UInt32 = 500, offset UInt32 = 0
-- One row shape for the four tables: kind, what (route, event, provider/model, action), detail, status or outcome.
SELECT timestamp, kind, session_id, what, detail, outcome, duration_ms, cost_usd
FROM
(
  SELECT timestamp, span_id, 'access' AS kind, session_id, concat(method, ' ', route) AS what, path AS detail,
    toString(status) AS outcome, duration_ms, CAST(NULL, 'Nullable(Float64)') AS cost_usd
  FROM access_log
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
    AND user_id = {user:String}
  UNION ALL
  SELECT timestamp, span_id, 'auth' AS kind, session_id, event AS what, reason AS detail,
    if(success, 'ok', 'failed') AS outcome, CAST(NULL, 'Nullable(Float64)') AS duration_ms, CAST(NULL, 'Nullable(Float64)') AS cost_usd
  FROM auth_events
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
    AND user_id = {user:String}
  UNION ALL
  SELECT timestamp, span_id, 'external' AS kind, session_id, if(model = '', provider, concat(provider, ' ', model)) AS what,
    concat(method, ' ', host) AS detail, toString(status) AS outcome, duration_ms,
    -- NULL stays NULL: an unpriced call is not a free one.
    toFloat64(cost_usd) AS cost_usd
  FROM external_calls
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
    AND user_id = {user:String}
  UNION ALL
  SELECT timestamp, span_id, 'activity' AS kind, session_id, action AS what,
    if(resource_id = '', resource_type, concat(resource_type, ' ', resource_id)) AS detail, '' AS outcome,
    CAST(NULL, 'Nullable(Float64)') AS duration_ms, CAST(NULL, 'Nullable(Float64)') AS cost_usd
  FROM activities
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
    -- The service's own audit rows name the dashboard reader, not an app user.
    AND service != 'otel-activity'
    AND user_id = {user:String}
)
ORDER BY timestamp, kind, span_id
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
