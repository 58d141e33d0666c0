-- schema_migrations: one row per migration applied by schemas/migrate.ts (version, file name, sha256 of the
-- file, when). ReplacingMergeTree on version: two processes migrating at once may both record a version; the
-- duplicates collapse, and readers GROUP BY version anyway.
CREATE TABLE IF NOT EXISTS schema_migrations
(
    version    UInt32,
    name       String,
    checksum   String,
    applied_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(applied_at)
ORDER BY version;
