-- 012_rollup_retention: the rollup views skip rows that are already past raw retention when they arrive, the rows
-- access_log and its siblings drop on insert (their TTL is toDateTime(timestamp) + retention days). Before this a
-- span dated 400 days back was not in access_log but was counted in access_route_daily, so the rollup and .raw
-- forms of a report disagreed about a row neither should know. The predicate is the raw TTL expression itself,
-- so both sides keep exactly the same rows; rollup rows then live on for rollup_retention_days (their own TTL):
-- history beyond raw retention is what rollups are for.
-- `otel-activity retention --days N` changes the raw TTL only; these views keep the retention they were created
-- with until this migration's statements are applied again with the new value.
ALTER TABLE access_route_daily_mv MODIFY QUERY
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
    max(duration_ms) AS duration_ms_max,
    sum(request_bytes) AS request_bytes,
    sum(response_bytes) AS response_bytes,
    quantilesTDigestState(0.5, 0.9, 0.95, 0.99)(duration_ms) AS duration_ms_quantiles,
    uniqState(nullIf(user_id, '')) AS users
FROM access_log
WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment, route, method;

ALTER TABLE auth_daily_mv MODIFY QUERY
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    event,
    success,
    count() AS events,
    uniqState(nullIf(user_id, '')) AS users,
    uniqState(nullIf(client_ip, toIPv6('::'))) AS client_ips
FROM auth_events
WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment, event, success;

ALTER TABLE external_cost_daily_mv MODIFY QUERY
SELECT
    toDate(timestamp) AS day,
    service,
    environment,
    provider,
    model,
    user_id,
    count() AS calls,
    countIf(status >= 400 OR status = 0) AS errors,
    sum(input_tokens) AS input_tokens,
    sum(output_tokens) AS output_tokens,
    sum(cost_usd) AS cost_usd,
    sum(duration_ms) AS duration_ms_sum
FROM external_calls
WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment, provider, model, user_id;

ALTER TABLE access_client_daily_mv MODIFY QUERY
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
WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now()
GROUP BY day, service, environment, device_type, browser, os;
