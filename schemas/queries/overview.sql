-- name: overview
-- answers: The headline numbers of a window: requests, errors, users, sessions, p95 latency, failed logins, external cost.
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
-- One pass over each table (access_log was read five times when each figure had its own subquery); distinct
-- users and sessions count the 64-bit id keys of migration 011 instead of hashing the id strings.
SELECT
  access.requests AS requests,
  access.errors AS errors,
  -- Active users as daily-active-users defines them: anyone seen in any table (dashboard audit rows excepted); each
  -- table's exact set of 64-bit keys is merged once (arrayReduce over the four uniqExact states).
  arrayReduce('uniqExactMerge', [access.user_keys, auth.user_keys, external.user_keys, custom.user_keys]) AS users,
  access.sessions AS sessions,
  access.p95_ms AS p95_ms,
  auth.failed_logins AS failed_logins,
  external.calls AS external_calls,
  external.cost_usd AS cost_usd
FROM
(
  SELECT
    count() AS requests,
    countIf(status >= 500) AS errors,
    uniqExactStateIf(user_key, user_key != 0) AS user_keys,
    uniqExactIf(session_key, session_key != 0) AS sessions,
    -- t-digest, the latency estimator of every report (README: Definitions).
    round(quantilesTDigest(0.5, 0.9, 0.95, 0.99)(duration_ms)[3], 3) AS p95_ms
  FROM access_log
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
) AS access
CROSS JOIN
(
  SELECT countIf(event = 'login_failed' OR (event = 'login' AND NOT success)) AS failed_logins,
    uniqExactStateIf(cityHash64(user_id), user_id != '') AS user_keys
  FROM auth_events
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
) AS auth
CROSS JOIN
(
  SELECT count() AS calls, toFloat64(sum(ifNull(cost_usd, toDecimal64(0, 9)))) AS cost_usd, uniqExactStateIf(cityHash64(user_id), user_id != '') AS user_keys
  FROM external_calls
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
) AS external
CROSS JOIN
(
  SELECT uniqExactStateIf(cityHash64(user_id), user_id != '') AS user_keys
  FROM activities
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
    AND service != 'otel-activity'
) AS custom
