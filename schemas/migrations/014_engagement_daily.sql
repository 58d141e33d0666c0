-- 014_engagement_daily: per day, one row per session and one per signed-in user, filled by materialized views as
-- rows land in access_log. The engagement report read 10M raw rows three times (sessions, users, each user's first
-- day) and took 1.5 s (bench/RESULTS.md); a month of these rollups is ~600k session-days and ~600k user-days.
--
-- Sessions are keyed by the 64-bit hash of migration 011 (cityHash64 of the id, access_log's session_key); users by
-- their id, so that erase-user deletes a user's rows here as in external_cost_daily. Session lengths keep the first
-- and last request in epoch ms.
-- As every rollup: AggregatingMergeTree merges eventually, so reads aggregate again (sum / min / max with GROUP BY);
-- monthly partitions; rollup TTL; rows already past raw retention are skipped (as in 012).
CREATE TABLE IF NOT EXISTS access_session_daily
(
    day          Date CODEC(Delta, ZSTD(1)),
    service      LowCardinality(String),
    environment  LowCardinality(String),
    session_key  UInt64,
    requests     SimpleAggregateFunction(sum, UInt64),
    first_ms     SimpleAggregateFunction(min, Int64),
    last_ms      SimpleAggregateFunction(max, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (service, environment, day, session_key)
TTL day + INTERVAL {{rollup_retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS access_session_daily_mv TO access_session_daily AS
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    cityHash64(session_id) AS session_key,
    count() AS requests,
    min(toUnixTimestamp64Milli(timestamp)) AS first_ms,
    max(toUnixTimestamp64Milli(timestamp)) AS last_ms
FROM access_log
WHERE session_id != '' AND toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment, session_key;

CREATE TABLE IF NOT EXISTS access_user_daily
(
    day          Date CODEC(Delta, ZSTD(1)),
    service      LowCardinality(String),
    environment  LowCardinality(String),
    user_id      String CODEC(ZSTD(1)),
    requests     SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (service, environment, day, user_id)
TTL day + INTERVAL {{rollup_retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS access_user_daily_mv TO access_user_daily AS
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    user_id,
    count() AS requests
FROM access_log
WHERE user_id != '' AND toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment, user_id;
