-- name: user-totals
-- answers: One user's totals in a window: requests, errors, sessions, logins, failed logins, external calls and cost, activities, first and last seen.
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), user String
SELECT
  access.requests AS requests,
  access.errors AS errors,
  access.sessions AS sessions,
  auth.logins AS logins,
  auth.failed_logins AS failed_logins,
  external.calls AS external_calls,
  external.cost_usd AS cost_usd,
  external.unpriced_calls AS unpriced_calls,
  custom.activities AS activities,
  -- min/max over timestamps of empty tables are the epoch: only tables with rows count.
  arrayMin(arrayFilter(t -> t > toDateTime64(0, 3, 'UTC'), [access.first_seen, auth.first_seen, external.first_seen, custom.first_seen])) AS first_seen,
  arrayMax([access.last_seen, auth.last_seen, external.last_seen, custom.last_seen]) AS last_seen
FROM
(
  SELECT count() AS requests, countIf(status >= 500) AS errors, uniqExactIf(session_id, session_id != '') AS sessions,
    min(timestamp) AS first_seen, max(timestamp) AS last_seen
  FROM access_log
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
    AND user_id = {user:String}
) AS access
CROSS JOIN
(
  SELECT countIf(event = 'login' AND success) AS logins, countIf(event = 'login_failed' OR (event = 'login' AND NOT success)) AS failed_logins,
    min(timestamp) AS first_seen, max(timestamp) AS last_seen
  FROM auth_events
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
    AND user_id = {user:String}
) AS auth
CROSS JOIN
(
  SELECT count() AS calls, toFloat64(sum(ifNull(cost_usd, toDecimal64(0, 9)))) AS cost_usd, countIf(external_calls.cost_usd IS NULL) AS unpriced_calls,
    min(timestamp) AS first_seen, max(timestamp) AS last_seen
  FROM external_calls
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
    AND user_id = {user:String}
) AS external
CROSS JOIN
(
  SELECT count() AS activities, min(timestamp) AS first_seen, max(timestamp) AS last_seen
  FROM activities
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
    AND ({service:String} = '' OR service = {service:String})
    AND ({environment:String} = '' OR environment = {environment:String})
    AND service != 'otel-activity'
    AND user_id = {user:String}
) AS custom
