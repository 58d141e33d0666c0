-- 006_auth_daily: auth events per day + event + outcome, with unique users and unique client IPs, filled by a
-- materialized view from auth_events. Read with sum(events), uniqMerge(users), uniqMerge(client_ips) and
-- GROUP BY: background merges are eventual. Partitioning and TTL as in 005_access_route_daily.sql.
CREATE TABLE IF NOT EXISTS auth_daily
(
    day         Date CODEC(Delta, ZSTD(1)),
    service     LowCardinality(String),
    environment LowCardinality(String),
    event       LowCardinality(String),
    success     Bool,
    events      SimpleAggregateFunction(sum, UInt64),
    -- Events without a known user (failed logins for unknown accounts) are NULL and not counted.
    users       AggregateFunction(uniq, Nullable(String)),
    -- '::' (unknown or not kept) is NULL and not counted.
    client_ips  AggregateFunction(uniq, Nullable(IPv6))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (service, environment, event, success, day)
TTL day + INTERVAL {{rollup_retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS auth_daily_mv TO auth_daily AS
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    event,
    success,
    count() AS events,
    uniqState(nullIf(user_id, '')) AS users,
    uniqState(nullIf(client_ip, toIPv6('::'))) AS client_ips
FROM auth_events
GROUP BY day, service, environment, event, success;
