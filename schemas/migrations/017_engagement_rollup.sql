-- 017_engagement_rollup: the engagement report's rollups keyed by what it reads, a scope (one service, or '' for all
-- services together) instead of service and environment. Migration 014's rollups are keyed by service and
-- environment, so a session or user seen in three services was three rows that every read grouped again by day and
-- key (5.5M session-day and 4.9M user-day rows on the 10M-row bench, unmerged: the rollup form took 1.5 s, more than
-- its raw form). Here:
-- * engagement_session_daily: per scope, UTC day and session, the requests and the first and last request (epoch
--   ms). The whole-window read is one row per session and day once merged, and no row is regrouped across services.
-- * engagement_user_monthly: per scope, month and signed-in user, a groupBitmap of the UTC days (day numbers) the user
--   was seen on. Users per day and each user's first day in the lookback come from one row per user and month (at
--   most 31 values: roaring's small set, no container), not from one row per user and day; the user id stays a
--   column, so erase-user deletes it as in access_user_daily.
-- Every row is written twice by the views (its service's scope and ''), ARRAY JOIN on the two names.
-- min/max and bitmap unions are idempotent, so the views start first and the backfill from 014's rollups (which hold
-- history past raw retention too) follows; a request landing in between is counted twice in `requests` only.
-- Monthly partitions, rollup TTL, rows already past raw retention skipped (as in 012). groupBitmap in an
-- AggregatingMergeTree and bitmapSubsetInRange exist since ClickHouse 20.x: no newer version needed than 016's 24.8.
CREATE TABLE IF NOT EXISTS engagement_session_daily
(
    scope        LowCardinality(String),
    day          Date CODEC(Delta, ZSTD(1)),
    session_key  UInt64,
    requests     SimpleAggregateFunction(sum, UInt64),
    first_ms     SimpleAggregateFunction(min, Int64),
    last_ms      SimpleAggregateFunction(max, Int64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (scope, day, session_key)
TTL day + INTERVAL {{rollup_retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS engagement_session_daily_mv TO engagement_session_daily AS
SELECT
    scope,
    day,
    session_key,
    sum(part_requests) AS requests,
    min(part_first) AS first_ms,
    max(part_last) AS last_ms
FROM
(
    SELECT
        service,
        toDate(timestamp) AS day,
        cityHash64(session_id) AS session_key,
        count() AS part_requests,
        min(toUnixTimestamp64Milli(timestamp)) AS part_first,
        max(toUnixTimestamp64Milli(timestamp)) AS part_last
    FROM access_log
    WHERE session_id != '' AND toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
    GROUP BY service, day, session_key
)
ARRAY JOIN [toString(service), ''] AS scope
GROUP BY scope, day, session_key;

CREATE TABLE IF NOT EXISTS engagement_user_monthly
(
    scope        LowCardinality(String),
    month        Date CODEC(Delta, ZSTD(1)),
    user_id      String CODEC(ZSTD(1)),
    -- toUInt32(day) of every UTC day with a request of the user; read with groupBitmapMerge(days).
    days         AggregateFunction(groupBitmap, UInt32)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (scope, month, user_id)
-- A month's row lives as long as its last day's would.
TTL toLastDayOfMonth(month) + INTERVAL {{rollup_retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS engagement_user_monthly_mv TO engagement_user_monthly AS
SELECT
    scope,
    month,
    user_id,
    groupBitmapState(part_day) AS days
FROM
(
    SELECT service, toStartOfMonth(timestamp) AS month, user_id, toUInt32(toDate(timestamp)) AS part_day
    FROM access_log
    WHERE user_id != '' AND toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
    GROUP BY service, month, user_id, part_day
)
ARRAY JOIN [toString(service), ''] AS scope
GROUP BY scope, month, user_id;

-- Days rolled up before this migration, from 014's rollups (also past raw retention).
INSERT INTO engagement_session_daily (scope, day, session_key, requests, first_ms, last_ms)
SELECT scope, day, session_key, sum(part_requests), min(part_first), max(part_last)
FROM
(
    SELECT service, day, session_key, sum(requests) AS part_requests, min(first_ms) AS part_first, max(last_ms) AS part_last
    FROM access_session_daily
    GROUP BY service, day, session_key
)
ARRAY JOIN [toString(service), ''] AS scope
GROUP BY scope, day, session_key;

INSERT INTO engagement_user_monthly (scope, month, user_id, days)
SELECT scope, toStartOfMonth(day) AS month, user_id, groupBitmapState(toUInt32(day))
FROM (SELECT DISTINCT service, day, user_id FROM access_user_daily)
ARRAY JOIN [toString(service), ''] AS scope
GROUP BY scope, month, user_id;
