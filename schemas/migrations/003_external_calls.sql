-- 003_external_calls: one row per outbound call (HTTP API, LLM, SaaS), with tokens and cost (the seeds'
-- ExternalAPICallLog). Codecs, partitioning, TTL and the attributes map follow 001_access_log.sql.
CREATE TABLE IF NOT EXISTS external_calls
(
    timestamp      DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    trace_id       String CODEC(ZSTD(1)),
    span_id        String CODEC(ZSTD(1)),
    -- The inbound request (or other span) that made the call: joins a cost to the access_log row that caused it.
    parent_span_id String CODEC(ZSTD(1)),
    -- The app that made the call.
    service        LowCardinality(String) CODEC(ZSTD(1)),
    environment    LowCardinality(String) CODEC(ZSTD(1)),
    -- The service called: openai, gemini, anthropic, supabase, or the host when unmapped.
    provider       LowCardinality(String) CODEC(ZSTD(1)),
    method         LowCardinality(String) CODEC(ZSTD(1)),
    host           LowCardinality(String) CODEC(ZSTD(1)),
    -- Redacted by the SDK (credentials and secret query values removed).
    url            String CODEC(ZSTD(1)),
    -- 0 when no response arrived (connection refused, timeout).
    status         UInt16 CODEC(T64, ZSTD(1)),
    duration_ms    Float64 CODEC(ZSTD(1)),
    request_bytes  UInt64 CODEC(T64, ZSTD(1)),
    response_bytes UInt64 CODEC(T64, ZSTD(1)),
    model          LowCardinality(String) CODEC(ZSTD(1)),
    input_tokens   UInt64 CODEC(T64, ZSTD(1)),
    output_tokens  UInt64 CODEC(T64, ZSTD(1)),
    -- Decimal, not Float64: costs are summed over millions of tiny values (0.000002 USD per call), and a float
    -- sum drifts and depends on summation order, so two reports of the same month would disagree in the last
    -- cents. Decimal(18, 9) sums exactly (to Decimal(38, 9)), with nano-dollar resolution and up to 10^9 USD
    -- per call. Helicone stores cost x 1e9 as an integer for the same reason.
    cost_usd       Decimal(18, 9) CODEC(ZSTD(1)),
    user_id        String CODEC(ZSTD(1)),
    session_id     String CODEC(ZSTD(1)),
    error_message  String CODEC(ZSTD(1)),
    attributes     Map(LowCardinality(String), String) CODEC(ZSTD(1)),

    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id  user_id  TYPE bloom_filter(0.01)  GRANULARITY 1,
    INDEX idx_status   status   TYPE minmax              GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
-- "Cost per provider (and model) over time" is the main read: provider and model lead after the service.
-- "Cost per user" groups a time range (or reads external_cost_daily), "this user's calls" uses idx_user_id.
ORDER BY (service, provider, model, timestamp)
TTL toDateTime(timestamp) + INTERVAL {{retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;
