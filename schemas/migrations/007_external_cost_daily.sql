-- 007_external_cost_daily: external calls, errors, tokens and cost per day + provider + model + user, filled by
-- a materialized view from external_calls. Answers "cost per user and provider this month" from a few
-- thousand rows instead of millions.
--
-- SummingMergeTree: every column outside the key is a plain sum, so no aggregate states are needed; merges
-- add rows with the same key together, eventually, so reads still use sum() ... GROUP BY.
-- cost_usd is Decimal(38, 9), the type sum() of Decimal(18, 9) returns: exact, like the raw column.
-- Partitioning and TTL as in 005_access_route_daily.sql.
CREATE TABLE IF NOT EXISTS external_cost_daily
(
    day             Date CODEC(Delta, ZSTD(1)),
    service         LowCardinality(String),
    environment     LowCardinality(String),
    provider        LowCardinality(String),
    model           LowCardinality(String),
    user_id         String CODEC(ZSTD(1)),
    calls           UInt64,
    -- status >= 400, or no response at all (status 0).
    errors          UInt64,
    input_tokens    UInt64,
    output_tokens   UInt64,
    cost_usd        Decimal(38, 9),
    duration_ms_sum Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (service, environment, provider, model, user_id, day)
TTL day + INTERVAL {{rollup_retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS external_cost_daily_mv TO external_cost_daily AS
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    provider,
    model,
    user_id,
    count() AS calls,
    countIf(status >= 400 OR status = 0) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cost_usd) AS cost_usd,
    sum(duration_ms) AS duration_ms_sum
FROM external_calls
GROUP BY day, service, environment, provider, model, user_id;
