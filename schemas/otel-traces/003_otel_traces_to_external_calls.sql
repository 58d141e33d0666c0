-- otel_traces → external_calls: one row per outbound call span (activity.kind = 'external'), with tokens and cost.
-- Column rules follow exporter/rows/span-to-external-row.ts. Cost is parsed straight into Decimal(18, 9) from its
-- text so no float rounding slips in between the SDK and the table.
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
            SpanAttributes['server.address']) AS provider,
    if(SpanAttributes['http.request.method'] != '', SpanAttributes['http.request.method'], SpanAttributes['http.method']) AS method,
    SpanAttributes['server.address'] AS host,
    if(SpanAttributes['url.full'] != '', SpanAttributes['url.full'], SpanAttributes['http.url']) AS url,
    toUInt16OrZero(if(SpanAttributes['http.response.status_code'] != '', SpanAttributes['http.response.status_code'],
                      SpanAttributes['http.status_code'])) AS status,
    Duration / 1e6 AS duration_ms,
    toUInt64OrZero(SpanAttributes['http.request.body.size']) AS request_bytes,
    toUInt64OrZero(SpanAttributes['http.response.body.size']) AS response_bytes,
    if(SpanAttributes['gen_ai.response.model'] != '', SpanAttributes['gen_ai.response.model'],
       SpanAttributes['gen_ai.request.model']) AS model,
    toUInt64OrZero(SpanAttributes['gen_ai.usage.input_tokens']) AS input_tokens,
    toUInt64OrZero(SpanAttributes['gen_ai.usage.output_tokens']) AS output_tokens,
    toDecimal64OrZero(SpanAttributes['activity.cost.usd'], 9) AS cost_usd,
    SpanAttributes['user.id'] AS user_id,
    SpanAttributes['session.id'] AS session_id,
    if(SpanAttributes['error.message'] != '', SpanAttributes['error.message'],
       if(StatusCode = 'Error', StatusMessage, '')) AS error_message,
    mapFilter((k, v) -> k NOT IN ('activity.kind', 'activity.external.service', 'gen_ai.provider.name', 'http.request.method',
        'http.method', 'server.address', 'url.full', 'http.url', 'http.response.status_code', 'http.status_code',
        'http.request.body.size', 'http.response.body.size', 'gen_ai.request.model', 'gen_ai.response.model',
        'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'activity.cost.usd', 'user.id', 'session.id',
        'error.message'), SpanAttributes) AS attributes
FROM otel_traces
WHERE SpanAttributes['activity.kind'] = 'external';
