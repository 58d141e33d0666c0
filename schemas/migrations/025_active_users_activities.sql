-- 025_active_users_activities: active_users_daily gains the signed-in users of custom activities (the service's own
-- dashboard audit rows, service 'otel-activity', excepted, as every report excepts them), written by a fourth view
-- beside migration 024's three, per service and for all services (''). daily-active-users and trends read the
-- activities table over the whole window to add those users: 50 of their 113 and 162 ms on the 10M-row bench with
-- 1M activities (bench/RESULTS.md, 2026-12-04 evening); now only its partial first and last day.
-- The same uniq() state of the same ids, so the counts do not change. A set union is idempotent: the view starts
-- first and the backfill from the rows (which the raw retention still holds) follows.
CREATE MATERIALIZED VIEW IF NOT EXISTS active_users_daily_activities_mv TO active_users_daily AS
SELECT
    day,
    scope AS service,
    if(scope = '', '', part_environment) AS environment,
    uniqMergeState(part_users) AS users
FROM
(
    SELECT toDate(timestamp) AS day, service AS part_service, environment AS part_environment, uniqState(nullIf(user_id, '')) AS part_users
    FROM activities
    WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now() AND service != 'otel-activity'
    GROUP BY day, part_service, part_environment
)
ARRAY JOIN [toString(part_service), ''] AS scope
GROUP BY day, scope, environment;

INSERT INTO active_users_daily (day, service, environment, users)
SELECT day, scope AS service, if(scope = '', '', part_environment) AS environment, uniqMergeState(part_users) AS users
FROM
(
    SELECT toDate(timestamp) AS day, service AS part_service, environment AS part_environment, uniqState(nullIf(user_id, '')) AS part_users
    FROM activities
    WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now() AND service != 'otel-activity'
    GROUP BY day, part_service, part_environment
)
ARRAY JOIN [toString(part_service), ''] AS scope
GROUP BY day, scope, environment;
