-- 001_access_log: one row per inbound HTTP request (the seeds' APIAccessLog and page visits).
--
-- Choices that apply to every raw table (002-004 follow the same rules):
-- * DateTime64(3, 'UTC'): millisecond timestamps, stored and rendered in UTC whatever the server time zone is.
-- * CODEC(DoubleDelta, ZSTD(1)) on the timestamp: rows arrive almost sorted by time within a part, so the
--   second difference is tiny and compresses to a few bits per row.
-- * T64 on small integers (status, byte counts): it drops the unused high bits, ZSTD then packs the rest.
-- * LowCardinality(String) for columns with at most a few thousand distinct values (service, route, method,
--   browser, user agent …): dictionary-encoded, so GROUP BY and filters on them read integers, not strings.
--   Ids (user_id, trace_id, session_id) are high-cardinality and stay plain String with ZSTD.
-- * PARTITION BY toDate(timestamp): one partition per day. With a 90-day TTL that is ~90 partitions, well
--   within what ClickHouse handles, and expiry drops whole parts (ttl_only_drop_parts = 1) instead of
--   rewriting them; monthly partitions would keep expired rows up to a month longer.
-- * TTL days are substituted by schemas/migrate.ts as validated integers: DDL cannot take bound {name:Type}
--   parameters, so {{retention_days}} is a template slot filled only with a checked positive integer.
-- * bloom_filter skip indexes on the ids people look up one at a time (a user, a trace, a session, an IP):
--   granules without the value are skipped without being read.
-- * attributes Map(LowCardinality(String), String): every span attribute that has no column of its own;
--   the key set is small (attribute names), so keys are dictionary-encoded.
CREATE TABLE IF NOT EXISTS access_log
(
    timestamp      DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    trace_id       String CODEC(ZSTD(1)),
    span_id        String CODEC(ZSTD(1)),
    service        LowCardinality(String) CODEC(ZSTD(1)),
    environment    LowCardinality(String) CODEC(ZSTD(1)),
    method         LowCardinality(String) CODEC(ZSTD(1)),
    -- The route template (/users/:id), bounded by the app's routes; the concrete path is in `path`.
    route          LowCardinality(String) CODEC(ZSTD(1)),
    path           String CODEC(ZSTD(1)),
    -- Already redacted by the SDK (secrets replaced), without the leading '?'.
    query          String CODEC(ZSTD(1)),
    -- 0 when the request ended before a response (aborted, crashed handler).
    status         UInt16 CODEC(T64, ZSTD(1)),
    -- Fractional milliseconds; Float64 because quantiles and averages are what it is used for.
    duration_ms    Float64 CODEC(ZSTD(1)),
    request_bytes  UInt64 CODEC(T64, ZSTD(1)),
    response_bytes UInt64 CODEC(T64, ZSTD(1)),
    user_id        String CODEC(ZSTD(1)),
    session_id     String CODEC(ZSTD(1)),
    -- IPv6 holds both families (IPv4 as ::ffff:a.b.c.d) in 16 bytes; '::' means unknown or not kept.
    client_ip      IPv6 CODEC(ZSTD(1)),
    -- A service sees a few thousand distinct user-agent strings, not millions: dictionary encoding pays.
    user_agent     LowCardinality(String) CODEC(ZSTD(1)),
    browser        LowCardinality(String) CODEC(ZSTD(1)),
    os             LowCardinality(String) CODEC(ZSTD(1)),
    device_type    LowCardinality(String) CODEC(ZSTD(1)),
    error_message  String CODEC(ZSTD(1)),
    attributes     Map(LowCardinality(String), String) CODEC(ZSTD(1)),

    INDEX idx_trace_id   trace_id   TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id    user_id    TYPE bloom_filter(0.01)  GRANULARITY 1,
    INDEX idx_session_id session_id TYPE bloom_filter(0.01)  GRANULARITY 1,
    INDEX idx_client_ip  client_ip  TYPE bloom_filter(0.01)  GRANULARITY 1,
    -- "Errors over time" filters status >= 500; most granules hold only 2xx/3xx and are skipped by min/max.
    INDEX idx_status     status     TYPE minmax              GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
-- Most reads are "this service (and environment), this route, over a time range": those columns lead the key,
-- lowest cardinality first, time last, so one route's rows for a day are contiguous. Per-user reads go
-- through idx_user_id; per-service error charts through the service prefix plus idx_status.
ORDER BY (service, environment, route, timestamp)
TTL toDateTime(timestamp) + INTERVAL {{retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;
