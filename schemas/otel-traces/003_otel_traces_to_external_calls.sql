-- otel_traces → external_calls: one row per outbound call span (activity.kind = 'external', a stock HTTP CLIENT span,
-- or a GenAI instrumentation's CLIENT span), with tokens and cost.
-- Column rules follow exporter/rows/span-to-external-row.ts (provider: activity.external.service, gen_ai.provider.name,
-- the deprecated gen_ai.system, then the host; call_kind and the cached / cache-write / reasoning token columns of
-- migration 013). Cost is parsed straight into Decimal(18, 9) from its text so no float rounding slips in between
-- the SDK and the table. A view has no price table: a model call that arrives without activity.cost.usd is stored
-- unpriced (NULL, as the service stores a model it has no price for), and `otel-activity reprice --since 1d` prices it
-- from the current table, rollup included.
CREATE MATERIALIZED VIEW IF NOT EXISTS otel_traces_to_external_calls TO external_calls AS
SELECT
    toDateTime64(Timestamp, 3, 'UTC') AS timestamp,
    TraceId AS trace_id,
    SpanId AS span_id,
    ParentSpanId AS parent_span_id,
    ServiceName AS service,
    if(ResourceAttributes['deployment.environment.name'] != '', ResourceAttributes['deployment.environment.name'],
       ResourceAttributes['deployment.environment']) AS environment,
    multiIf(SpanAttributes['activity.external.service'] != '', SpanAttributes['activity.external.service'],
            SpanAttributes['gen_ai.provider.name'] != '', SpanAttributes['gen_ai.provider.name'],
            SpanAttributes['gen_ai.system'] != '', SpanAttributes['gen_ai.system'],
            host) AS provider,
    -- usage: recordUsage() with no call; llm: any gen_ai.* on it; else an HTTP call, or a tracked call of another kind.
    multiIf(SpanAttributes['activity.external.call'] = 'usage', 'usage',
            model != '' OR mapContains(SpanAttributes, 'gen_ai.provider.name') OR mapContains(SpanAttributes, 'gen_ai.system')
              OR mapContains(SpanAttributes, 'gen_ai.usage.input_tokens'), 'llm',
            method != '', 'http', 'call') AS call_kind,
    if(SpanAttributes['http.request.method'] != '', SpanAttributes['http.request.method'], SpanAttributes['http.method']) AS method,
    if(SpanAttributes['server.address'] != '', SpanAttributes['server.address'], domain(url)) AS host,
    if(SpanAttributes['url.full'] != '', SpanAttributes['url.full'], SpanAttributes['http.url']) AS url,
    toUInt16OrZero(if(SpanAttributes['http.response.status_code'] != '', SpanAttributes['http.response.status_code'],
                      SpanAttributes['http.status_code'])) AS status,
    Duration / 1e6 AS duration_ms,
    toUInt64OrZero(SpanAttributes['http.request.body.size']) AS request_bytes,
    toUInt64OrZero(SpanAttributes['http.response.body.size']) AS response_bytes,
    -- The model asked for groups stably; the dated one that answered stays in the attributes map.
    if(SpanAttributes['gen_ai.request.model'] != '', SpanAttributes['gen_ai.request.model'],
       SpanAttributes['gen_ai.response.model']) AS model,
    toUInt64OrZero(SpanAttributes['gen_ai.usage.input_tokens']) AS input_tokens,
    toUInt64OrZero(SpanAttributes['gen_ai.usage.output_tokens']) AS output_tokens,
    toUInt64OrZero(SpanAttributes['gen_ai.usage.cache_read.input_tokens']) AS cache_read_tokens,
    toUInt64OrZero(SpanAttributes['gen_ai.usage.cache_creation.input_tokens']) AS cache_write_tokens,
    toUInt64OrZero(SpanAttributes['gen_ai.usage.reasoning.output_tokens']) AS reasoning_tokens,
    -- An explicit cost wins; a model call without one is unpriced (NULL); a call with no model costs nothing.
    if(SpanAttributes['activity.cost.usd'] != '', toNullable(toDecimal64OrZero(SpanAttributes['activity.cost.usd'], 9)),
       if(model = '', toNullable(toDecimal64(0, 9)), NULL)) AS cost_usd,
    SpanAttributes['user.id'] AS user_id,
    SpanAttributes['session.id'] AS session_id,
    multiIf(SpanAttributes['error.message'] != '', SpanAttributes['error.message'],
            -- An exception event's message, as the SDK path reads it from span events.
            arrayFirst(at -> at['exception.message'] != '', arrayFilter((at, n) -> n = 'exception', Events.Attributes, Events.Name))['exception.message'] != '',
            arrayFirst(at -> at['exception.message'] != '', arrayFilter((at, n) -> n = 'exception', Events.Attributes, Events.Name))['exception.message'],
            StatusCode = 'Error', StatusMessage, '') AS error_message,
    mapFilter((k, v) -> k NOT IN ('activity.kind', 'activity.external.service', 'activity.external.call', 'http.request.method',
        'http.method', 'server.address', 'url.full', 'http.url', 'http.response.status_code', 'http.status_code',
        'http.request.body.size', 'http.response.body.size', 'gen_ai.request.model',
        'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.cache_read.input_tokens',
        'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.reasoning.output_tokens', 'activity.cost.usd',
        'user.id', 'session.id', 'error.message'), SpanAttributes) AS attributes
FROM otel_traces
-- As spanToRow routes: activity.kind = 'external', or no kind on a CLIENT span with an HTTP method (stock SDKs) or
-- with gen_ai.provider.name / gen_ai.system (GenAI instrumentations).
WHERE SpanAttributes['activity.kind'] = 'external'
   OR (NOT mapContains(SpanAttributes, 'activity.kind') AND SpanKind = 'Client'
       AND (mapContains(SpanAttributes, 'http.request.method') OR mapContains(SpanAttributes, 'http.method')
            OR mapContains(SpanAttributes, 'gen_ai.provider.name') OR mapContains(SpanAttributes, 'gen_ai.system')));
