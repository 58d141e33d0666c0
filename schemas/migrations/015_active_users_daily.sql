-- 015_active_users_daily: per service, environment and UTC day, one uniq() state of the signed-in users seen in
-- requests, auth events or external calls, filled by one materialized view per table. daily-active-users and
-- trends merged the users states of access_client_daily (one per device type, browser and OS) or access_route_daily
-- (one per endpoint) with auth_daily's and the user ids of external_cost_daily: each user counted once per state, so
-- 0.9 s and more on the 10M-row bench (bench/RESULTS.md); here a day of one service is one state.
-- The same state as the others (uniqState(nullIf(user_id, ''))), so the counts are those of the .raw forms.
-- A set union is idempotent: the views start first and the backfill from the existing rollups follows, so a row
-- arriving in between is in the set once, not twice, and none is missed. Rows past raw retention are skipped (012).
CREATE TABLE IF NOT EXISTS active_users_daily
(
    day          Date CODEC(Delta, ZSTD(1)),
    service      LowCardinality(String),
    environment  LowCardinality(String),
    -- Anonymous rows (user_id '') are NULL here, and uniq ignores NULL. Read with uniqMerge(users).
    users        AggregateFunction(uniq, Nullable(String))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (service, environment, day)
TTL day + INTERVAL {{rollup_retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS active_users_daily_access_mv TO active_users_daily AS
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    uniqState(nullIf(user_id, '')) AS users
FROM access_log
WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment;

CREATE MATERIALIZED VIEW IF NOT EXISTS active_users_daily_auth_mv TO active_users_daily AS
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    uniqState(nullIf(user_id, '')) AS users
FROM auth_events
WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment;

CREATE MATERIALIZED VIEW IF NOT EXISTS active_users_daily_external_mv TO active_users_daily AS
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    uniqState(nullIf(user_id, '')) AS users
FROM external_calls
WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment;

-- Days rolled up before this migration: the same sets, from the rollups that hold them (also past raw retention).
INSERT INTO active_users_daily (day, service, environment, users)
SELECT day, service, environment, uniqMergeState(users) FROM access_route_daily GROUP BY day, service, environment;

INSERT INTO active_users_daily (day, service, environment, users)
SELECT day, service, environment, uniqMergeState(users) FROM auth_daily GROUP BY day, service, environment;

INSERT INTO active_users_daily (day, service, environment, users)
SELECT day, service, environment, uniqState(nullIf(user_id, '')) FROM external_cost_daily GROUP BY day, service, environment;
