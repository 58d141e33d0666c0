-- 004_activities: custom activities recorded by the app (the seeds' action / resource_type / resource_id /
-- details: "user 42 exported report 7"). Codecs, partitioning, TTL and the attributes map follow 001_access_log.sql.
CREATE TABLE IF NOT EXISTS activities
(
    timestamp     DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    trace_id      String CODEC(ZSTD(1)),
    span_id       String CODEC(ZSTD(1)),
    service       LowCardinality(String) CODEC(ZSTD(1)),
    environment   LowCardinality(String) CODEC(ZSTD(1)),
    user_id       String CODEC(ZSTD(1)),
    session_id    String CODEC(ZSTD(1)),
    -- Verbs and resource kinds are chosen by the app's code: a bounded set.
    action        LowCardinality(String) CODEC(ZSTD(1)),
    resource_type LowCardinality(String) CODEC(ZSTD(1)),
    resource_id   String CODEC(ZSTD(1)),
    -- JSON text: String keeps it readable by every ClickHouse version and by JSONExtract*() at query time.
    details       String CODEC(ZSTD(3)),
    client_ip     IPv6 CODEC(ZSTD(1)),
    user_agent    LowCardinality(String) CODEC(ZSTD(1)),
    attributes    Map(LowCardinality(String), String) CODEC(ZSTD(1)),

    INDEX idx_trace_id    trace_id    TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id     user_id     TYPE bloom_filter(0.01)  GRANULARITY 1,
    INDEX idx_resource_id resource_id TYPE bloom_filter(0.01)  GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
-- "What happened to resources of this type" and "how often is this action done" lead; "who did what" goes
-- through idx_user_id, "history of this resource" through idx_resource_id.
ORDER BY (service, resource_type, action, timestamp)
TTL toDateTime(timestamp) + INTERVAL {{retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;
