-- 019_access_day_projections: projections of access_log summed per UTC day, so whole-window raw reports read a
-- few thousand pre-aggregated rows of each part instead of every request (bench/RESULTS.md, 2026-12-02 evening).
-- They are part of access_log itself: same parts, same TTL, same deletes, so the `.raw` reports that read them still
-- answer from the raw rows' own lifetime, never from a rollup's. A report reads them only where its filter is on
-- whole UTC days (`toDate(timestamp)`); the partial first and last day it reads from the rows, and merges the two.
-- uniq() states merge to the same value in any order and grouping, so the answers are those of a scan of the rows.
--
-- * route_day: requests, 5xx errors and the signed-in users' uniq() state per day, service, environment, method
--   and route (top-routes.raw: the page from the counts, then only the page's user states).
-- * service_day: requests, 5xx errors and the signed-in users' uniq() state per day, service and environment
--   (daily-active-users.raw, trends.raw, dashboard-filters).
-- * client_day: requests and the sessions' uniq() state per day, service, device type, browser and OS
--   (device-mix.raw).
--
-- A report's time filter alone (`timestamp >= from`) never selects a projection: only the reports written with the
-- whole-day split read them, and reports grouped otherwise read the rows as before. Each insert writes the
-- projections of its parts too (a few hundred to a few thousand rows per part).
--
-- Lightweight DELETE (erase-user, cleanup) rebuilds the projections of the parts it changes: without the setting
-- ClickHouse refuses a DELETE on a table with a projection (the setting needs ClickHouse 24.7 or later; chDB 26.7 has it).
ALTER TABLE access_log MODIFY SETTING lightweight_mutation_projection_mode = 'rebuild';

ALTER TABLE access_log ADD PROJECTION IF NOT EXISTS route_day
(
    SELECT
        toDate(timestamp),
        service,
        environment,
        method,
        route,
        count(),
        countIf(status >= 500),
        uniqState(nullIf(user_id, ''))
    GROUP BY toDate(timestamp), service, environment, method, route
);

ALTER TABLE access_log ADD PROJECTION IF NOT EXISTS service_day
(
    SELECT
        toDate(timestamp),
        service,
        environment,
        count(),
        countIf(status >= 500),
        uniqState(nullIf(user_id, ''))
    GROUP BY toDate(timestamp), service, environment
);

ALTER TABLE access_log ADD PROJECTION IF NOT EXISTS client_day
(
    SELECT
        toDate(timestamp),
        service,
        device_type,
        browser,
        os,
        count(),
        uniqState(nullIf(session_id, ''))
    GROUP BY toDate(timestamp), service, device_type, browser, os
);

-- Parts written before this migration get them too: a mutation that reads every row once (81 s for 10M rows on the
-- 2-core bench machine under load).
ALTER TABLE access_log MATERIALIZE PROJECTION route_day SETTINGS mutations_sync = 1;
ALTER TABLE access_log MATERIALIZE PROJECTION service_day SETTINGS mutations_sync = 1;
ALTER TABLE access_log MATERIALIZE PROJECTION client_day SETTINGS mutations_sync = 1;
