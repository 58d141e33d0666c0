-- 008_alerts: alerts raised by the alert rules (schemas/alerts/), and their lifecycle open -> acknowledged -> resolved.
--
-- ReplacingMergeTree(updated_at): a change of state is an INSERT of the whole alert again with the same id, a
-- later updated_at and the new status; no ALTER ... UPDATE mutations. Background merges keep only the newest
-- version of each id, eventually, so READ THE CURRENT STATE WITH FINAL:
--     SELECT * FROM alerts FINAL WHERE status != 'resolved' ORDER BY created_at DESC
-- (or argMax(column, updated_at) ... GROUP BY id). The table is small; FINAL is cheap here.
-- Versions of one id must share created_at (it is in the partition and sort key), so copy it on every update.
CREATE TABLE IF NOT EXISTS alerts
(
    id              UUID,
    created_at      DateTime64(3, 'UTC'),
    -- The version: the newest updated_at wins; on a tie the row inserted last wins.
    updated_at      DateTime64(3, 'UTC'),
    service         LowCardinality(String),
    rule            LowCardinality(String),
    severity        Enum8('info' = 1, 'warning' = 2, 'critical' = 3),
    -- An Enum rejects a misspelt status at insert time instead of storing a state no reader knows.
    status          Enum8('open' = 1, 'acknowledged' = 2, 'resolved' = 3),
    -- What the alert is about: an IP, a user id, a route, a provider …
    subject         String,
    value           Float64,
    threshold       Float64,
    -- JSON text with the rule's evidence (window, counts, sample ids).
    details         String CODEC(ZSTD(1)),
    acknowledged_by String,
    -- NULL until acknowledged / resolved; a small table, so Nullable costs nothing that matters.
    acknowledged_at Nullable(DateTime64(3, 'UTC')),
    resolved_at     Nullable(DateTime64(3, 'UTC'))
)
ENGINE = ReplacingMergeTree(updated_at)
PARTITION BY toYYYYMM(created_at)
ORDER BY (created_at, id)
TTL toDateTime(created_at) + INTERVAL {{rollup_retention_days}} DAY;
