-- 002_auth_events: signups, logins, logouts, failed logins, token refreshes, password resets (the seeds'
-- AuthenticationLog). Codecs, partitioning, TTL and the attributes map follow 001_access_log.sql.
CREATE TABLE IF NOT EXISTS auth_events
(
    timestamp     DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    trace_id      String CODEC(ZSTD(1)),
    span_id       String CODEC(ZSTD(1)),
    service       LowCardinality(String) CODEC(ZSTD(1)),
    environment   LowCardinality(String) CODEC(ZSTD(1)),
    -- signup, login, logout, login_failed, token_refresh, password_reset. LowCardinality rather than Enum so a
    -- new event name from a newer SDK is stored instead of failing the whole batch.
    event         LowCardinality(String) CODEC(ZSTD(1)),
    success       Bool,
    user_id       String CODEC(ZSTD(1)),
    session_id    String CODEC(ZSTD(1)),
    -- password, oauth, magic_link, api_key …
    method        LowCardinality(String) CODEC(ZSTD(1)),
    -- Why it failed (free text, never a secret); few distinct values in practice.
    reason        LowCardinality(String) CODEC(ZSTD(1)),
    client_ip     IPv6 CODEC(ZSTD(1)),
    user_agent    LowCardinality(String) CODEC(ZSTD(1)),
    device_type   LowCardinality(String) CODEC(ZSTD(1)),
    attributes    Map(LowCardinality(String), String) CODEC(ZSTD(1)),

    INDEX idx_trace_id  trace_id  TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_user_id   user_id   TYPE bloom_filter(0.01)  GRANULARITY 1,
    INDEX idx_client_ip client_ip TYPE bloom_filter(0.01)  GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toDate(timestamp)
-- "Failed logins over time" and "logins per day" read one event (and outcome) over a time range: event and
-- success lead the key after the service. "Failed logins by IP" then scans only login_failed rows and groups
-- them; "this IP's attempts" and "this user's auth history" use the bloom filters.
ORDER BY (service, event, success, timestamp)
TTL toDateTime(timestamp) + INTERVAL {{retention_days}} DAY
SETTINGS ttl_only_drop_parts = 1;
