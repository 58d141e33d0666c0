-- otel_traces → access_log: one row per inbound request span (activity.kind = 'access') written by the
-- collector-contrib clickhouse exporter. Column rules follow exporter/rows/span-to-access-row.ts; attribute
-- values arrive as strings (the exporter's AsString()), so numbers are parsed with *OrZero and never fail a batch.
CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_to_access_log TO access_log AS
SELECT
    toDateTime64(Timestamp, 3, 'UTC') AS timestamp,
    TraceId AS trace_id,
    SpanId AS span_id,
    ServiceName AS service,
    if(ResourceAttributes['deployment.environment.name'] != '', ResourceAttributes['deployment.environment.name'],
       ResourceAttributes['deployment.environment']) AS environment,
    if(SpanAttributes['http.request.method'] != '', SpanAttributes['http.request.method'], SpanAttributes['http.method']) AS method,
    if(SpanAttributes['http.route'] != '', SpanAttributes['http.route'],
       if(SpanAttributes['url.path'] != '', SpanAttributes['url.path'], splitByChar('?', SpanAttributes['http.target'])[1])) AS route,
    if(SpanAttributes['url.path'] != '', SpanAttributes['url.path'], splitByChar('?', SpanAttributes['http.target'])[1]) AS path,
    SpanAttributes['url.query'] AS query,
    toUInt16OrZero(if(SpanAttributes['http.response.status_code'] != '', SpanAttributes['http.response.status_code'],
                      SpanAttributes['http.status_code'])) AS status,
    -- Duration is nanoseconds (UInt64).
    Duration / 1e6 AS duration_ms,
    toUInt64OrZero(SpanAttributes['http.request.body.size']) AS request_bytes,
    toUInt64OrZero(SpanAttributes['http.response.body.size']) AS response_bytes,
    SpanAttributes['user.id'] AS user_id,
    SpanAttributes['session.id'] AS session_id,
    -- IPv4 text becomes ::ffff:a.b.c.d; anything unparsable becomes '::' (unknown), as in the SDK path.
    toIPv6OrDefault(SpanAttributes['client.address']) AS client_ip,
    SpanAttributes['user_agent.original'] AS user_agent,
    SpanAttributes['activity.user_agent.browser'] AS browser,
    SpanAttributes['activity.user_agent.os'] AS os,
    SpanAttributes['activity.user_agent.device_type'] AS device_type,
    multiIf(SpanAttributes['error.message'] != '', SpanAttributes['error.message'],
            -- An exception event's message, as the SDK path reads it from span events.
            arrayFirst(at -> at['exception.message'] != '', arrayFilter((at, n) -> n = 'exception', Events.Attributes, Events.Name))['exception.message'] != '',
            arrayFirst(at -> at['exception.message'] != '', arrayFilter((at, n) -> n = 'exception', Events.Attributes, Events.Name))['exception.message'],
            StatusCode = 'Error', StatusMessage, '') AS error_message,
    mapFilter((k, v) -> k NOT IN ('activity.kind', 'http.request.method', 'http.method', 'http.route', 'url.path', 'url.query',
        'http.response.status_code', 'http.status_code', 'http.request.body.size', 'http.response.body.size', 'user.id',
        'session.id', 'client.address', 'user_agent.original', 'activity.user_agent.browser', 'activity.user_agent.os',
        'activity.user_agent.device_type', 'error.message', 'http.target'), SpanAttributes) AS attributes
FROM otel_traces
-- As spanToRow routes: activity.kind = 'access', or no kind on a SERVER span with an HTTP method (stock SDKs).
WHERE SpanAttributes['activity.kind'] = 'access'
   OR (NOT mapContains(SpanAttributes, 'activity.kind') AND SpanKind = 'Server'
       AND (mapContains(SpanAttributes, 'http.request.method') OR mapContains(SpanAttributes, 'http.method')));
