-- 020_access_engagement_projections: projections of access_log per UTC day and session, and per UTC day and user,
-- so engagement.raw reads a few rows per session or user of each part for whole days instead of every request
-- three times (bench/RESULTS.md, 2026-12-02 late evening). As migration 019's, they are part of access_log itself:
-- same parts, same TTL, same deletes, so the report still answers from the raw rows' own lifetime.
--
-- * session_day: per day and session_key, the requests and the first and last request.
-- * user_day: the (day, user_key) pairs, with their requests.
--
-- They group by the 64-bit keys themselves, so the distinct counts read from them are exact (as exact as a scan of
-- the keys). They have no service column: per service a session or user would be one row per service it was seen
-- in (~1.9x the rows on the 10M-row bench), so only the report over every service (`service = ''`, which the engine
-- folds away before it picks a projection) reads them; a report for one service reads the rows, as before.
-- Lightweight DELETEs rebuild them (migration 019 set `lightweight_mutation_projection_mode = 'rebuild'` on the table).
ALTER TABLE access_log ADD PROJECTION IF NOT EXISTS session_day
(
    SELECT
        toDate(timestamp),
        session_key,
        count(),
        min(timestamp),
        max(timestamp)
    GROUP BY toDate(timestamp), session_key
);

ALTER TABLE access_log ADD PROJECTION IF NOT EXISTS user_day
(
    SELECT
        toDate(timestamp),
        user_key,
        count()
    GROUP BY toDate(timestamp), user_key
);

-- Parts written before this migration get them too: a mutation that reads every row once (~57 s for 10M rows on the
-- 2-core bench machine under load).
ALTER TABLE access_log MATERIALIZE PROJECTION session_day SETTINGS mutations_sync = 1;
ALTER TABLE access_log MATERIALIZE PROJECTION user_day SETTINGS mutations_sync = 1;
