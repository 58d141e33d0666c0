-- 013_external_call_usage: what an LLM call's cost is made of, and calls whose cost is not known.
--
-- call_kind says what a row stands for, so rates count only real calls: 'http' (an HTTP request, no model),
-- 'llm' (a model call: HTTP to a model API, trackExternalCall with a model, or a GenAI instrumentation's span),
-- 'call' (trackExternalCall around something that is not HTTP), 'usage' (recordUsage() with no call around it:
-- tokens and cost only, no status, never an error).
-- Cached input, cache writes and reasoning tokens are parts of input_tokens / output_tokens (as gen_ai.usage.*
-- counts them) priced differently: kept apart so a cost can be checked against the provider's bill.
-- cost_usd becomes Nullable: NULL is "a model call we have no price for" (an unknown model), which a sum must not
-- read as free; reports count those calls as unpriced. Calls with no model stay 0.
ALTER TABLE external_calls ADD COLUMN IF NOT EXISTS call_kind LowCardinality(String) CODEC(ZSTD(1)) AFTER provider;
ALTER TABLE external_calls ADD COLUMN IF NOT EXISTS cache_read_tokens UInt64 CODEC(T64, ZSTD(1)) AFTER output_tokens;
ALTER TABLE external_calls ADD COLUMN IF NOT EXISTS cache_write_tokens UInt64 CODEC(T64, ZSTD(1)) AFTER cache_read_tokens;
ALTER TABLE external_calls ADD COLUMN IF NOT EXISTS reasoning_tokens UInt64 CODEC(T64, ZSTD(1)) AFTER cache_write_tokens;
ALTER TABLE external_calls MODIFY COLUMN cost_usd Nullable(Decimal(18, 9)) CODEC(ZSTD(1));

-- The rollup sums the same parts (SummingMergeTree adds every non-key column), and counts unpriced calls.
ALTER TABLE external_cost_daily ADD COLUMN IF NOT EXISTS cache_read_tokens UInt64 AFTER output_tokens;
ALTER TABLE external_cost_daily ADD COLUMN IF NOT EXISTS cache_write_tokens UInt64 AFTER cache_read_tokens;
ALTER TABLE external_cost_daily ADD COLUMN IF NOT EXISTS reasoning_tokens UInt64 AFTER cache_write_tokens;
ALTER TABLE external_cost_daily ADD COLUMN IF NOT EXISTS unpriced_calls UInt64 AFTER calls;

-- As 012's form of this view (rows past raw retention skipped), plus: a usage row is never an error, and an error
-- is a 4xx/5xx, an error message, or an HTTP call that got no response (status 0 with a method); a
-- trackExternalCall around a queue or an SDK has no status and is not an error for that. `calls` still counts
-- every row, as the raw forms of the reports do.
ALTER TABLE external_cost_daily_mv MODIFY QUERY
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    provider,
    model,
    user_id,
    count() AS calls,
    -- external_calls.cost_usd: the column, not this query's cost_usd alias (the sum below).
    countIf(external_calls.cost_usd IS NULL) AS unpriced_calls,
    countIf(call_kind != 'usage' AND (status >= 400 OR error_message != '' OR (status = 0 AND method != ''))) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cache_read_tokens) AS cache_read_tokens,
    sum(cache_write_tokens) AS cache_write_tokens,
    sum(reasoning_tokens) AS reasoning_tokens,
    sum(ifNull(external_calls.cost_usd, toDecimal64(0, 9))) AS cost_usd,
    sum(duration_ms) AS duration_ms_sum
FROM external_calls
WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment, provider, model, user_id;
