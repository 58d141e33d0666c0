-- 010_access_client_daily: per service + day + device type, browser and OS: requests, signed-in requests, unique
-- sessions and unique users, filled by a materialized view as rows land in access_log. The device-mix and
-- daily-active-users reports read it: over 10M raw rows they took 2.3 s and 0.85 s (grouping by three
-- LowCardinality strings and counting distinct string ids), over this rollup a few ms (bench/RESULTS.md).
--
-- Same rules as 005_access_route_daily.sql: AggregatingMergeTree merges eventually, so reads aggregate again
-- (sum() and uniqMerge() with GROUP BY); monthly partitions; rollup TTL. The view sees rows inserted after this
-- migration ran: on an existing install the rollup starts then, and the .raw forms answer for earlier days.
CREATE TABLE IF NOT EXISTS access_client_daily
(
    day                Date CODEC(Delta, ZSTD(1)),
    service            LowCardinality(String),
    environment        LowCardinality(String),
    device_type        LowCardinality(String),
    browser            LowCardinality(String),
    os                 LowCardinality(String),
    requests           SimpleAggregateFunction(sum, UInt64),
    -- Requests with a user id: the requests column of daily-active-users.
    signed_in_requests SimpleAggregateFunction(sum, UInt64),
    -- Empty ids are NULL here, and uniq ignores NULL. Read with uniqMerge().
    sessions           AggregateFunction(uniq, Nullable(String)),
    users              AggregateFunction(uniq, Nullable(String))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (service, environment, device_type, browser, os, day)
TTL day + INTERVAL {{rollup_retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS access_client_daily_mv TO access_client_daily AS
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    device_type,
    browser,
    os,
    count() AS requests,
    countIf(user_id != '') AS signed_in_requests,
    uniqState(nullIf(session_id, '')) AS sessions,
    uniqState(nullIf(user_id, '')) AS users
FROM access_log
GROUP BY day, service, environment, device_type, browser, os;
