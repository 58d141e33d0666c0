-- otel_traces → auth_events: one row per auth span (activity.kind = 'auth'): signup, login, logout, login_failed …
-- Column rules follow exporter/rows/span-to-auth-row.ts; booleans arrive as the strings 'true' / 'false'.
CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_to_auth_events TO auth_events AS
SELECT
    toDateTime64(Timestamp, 3, 'UTC') AS timestamp,
    TraceId AS trace_id,
    SpanId AS span_id,
    ServiceName AS service,
    if(ResourceAttributes['deployment.environment.name'] != '', ResourceAttributes['deployment.environment.name'],
       ResourceAttributes['deployment.environment']) AS environment,
    SpanAttributes['activity.auth.event'] AS event,
    -- Explicit outcome when given; else a login_failed event or an ERROR span did not succeed (as the SDK path).
    multiIf(SpanAttributes['activity.auth.success'] IN ('true', '1'), true,
            SpanAttributes['activity.auth.success'] IN ('false', '0'), false,
            SpanAttributes['activity.auth.event'] != 'login_failed' AND StatusCode != 'Error') AS success,
    SpanAttributes['user.id'] AS user_id,
    SpanAttributes['session.id'] AS session_id,
    SpanAttributes['activity.auth.method'] AS method,
    if(SpanAttributes['activity.auth.reason'] != '' OR success, SpanAttributes['activity.auth.reason'],
       multiIf(SpanAttributes['error.message'] != '', SpanAttributes['error.message'],
               -- An exception event's message, as the SDK path reads it from span events.
               arrayFirst(at -> at['exception.message'] != '', arrayFilter((at, n) -> n = 'exception', Events.Attributes, Events.Name))['exception.message'] != '',
               arrayFirst(at -> at['exception.message'] != '', arrayFilter((at, n) -> n = 'exception', Events.Attributes, Events.Name))['exception.message'],
               StatusCode = 'Error', StatusMessage, '')) AS reason,
    toIPv6OrDefault(SpanAttributes['client.address']) AS client_ip,
    SpanAttributes['user_agent.original'] AS user_agent,
    SpanAttributes['activity.user_agent.device_type'] AS device_type,
    mapFilter((k, v) -> k NOT IN ('activity.kind', 'activity.auth.event', 'activity.auth.success', 'user.id', 'session.id',
        'activity.auth.method', 'activity.auth.reason', 'client.address', 'user_agent.original',
        'activity.user_agent.device_type'), SpanAttributes) AS attributes
FROM otel_traces
WHERE SpanAttributes['activity.kind'] = 'auth';
