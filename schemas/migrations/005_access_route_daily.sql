-- 005_access_route_daily: per service + route + day request counts, errors, latency and unique users, filled
-- by a materialized view as rows land in access_log. Dashboards over months read this instead of raw rows.
--
-- AggregatingMergeTree: rows with the same key are merged in the background, but only eventually, so a
-- read must always aggregate again: sum() the SimpleAggregateFunction columns and use the -Merge combinator
-- on the AggregateFunction states, with GROUP BY (see schemas/README.md for the query shape).
-- PARTITION BY toYYYYMM(day): two years of rollups are 24 partitions (daily would be 730). With
-- ttl_only_drop_parts a month's parts go when their last day expires: rows may outlive the TTL by < 1 month.
CREATE TABLE IF NOT EXISTS access_route_daily
(
    day              Date CODEC(Delta, ZSTD(1)),
    service          LowCardinality(String),
    environment      LowCardinality(String),
    route            LowCardinality(String),
    method           LowCardinality(String),
    requests         SimpleAggregateFunction(sum, UInt64),
    -- status >= 500: the server failed.
    errors           SimpleAggregateFunction(sum, UInt64),
    -- 400 <= status < 500: the client was refused (auth failures, validation, not found).
    client_errors    SimpleAggregateFunction(sum, UInt64),
    duration_ms_sum  SimpleAggregateFunction(sum, Float64),
    request_bytes    SimpleAggregateFunction(sum, UInt64),
    response_bytes   SimpleAggregateFunction(sum, UInt64),
    -- t-digest: a few KB per state whatever the request count, and states merge across days and routes.
    -- Read with quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(duration_ms_quantiles).
    duration_ms_quantiles AggregateFunction(quantilesTDigest(0.5, 0.9, 0.95, 0.99), Float64),
    -- Anonymous requests (user_id '') are NULL here, and uniq ignores NULL. Read with uniqMerge(users).
    users            AggregateFunction(uniq, Nullable(String))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (service, environment, route, method, day)
TTL day + INTERVAL {{rollup_retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS access_route_daily_mv TO access_route_daily AS
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    route,
    method,
    count() AS requests,
    countIf(status >= 500) AS errors,
    countIf(status >= 400 AND status < 500) AS client_errors,
    sum(duration_ms) AS duration_ms_sum,
    sum(request_bytes) AS request_bytes,
    sum(response_bytes) AS response_bytes,
    quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(duration_ms) AS duration_ms_quantiles,
    uniqState(nullIf(user_id, '')) AS users
FROM access_log
GROUP BY day, service, environment, route, method;
