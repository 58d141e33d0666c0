-- name: overview
-- answers: The headline numbers of a window: requests, errors, users, sessions, p95 latency, failed logins, external cost.
-- params: service String = '', from DateTime64(3), to DateTime64(3)
SELECT
  (SELECT count() FROM access_log WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})) AS requests,
  (SELECT countIf(status >= 500) FROM access_log WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})) AS errors,
  (SELECT uniqExactIf(user_id, user_id != '') FROM access_log WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})) AS users,
  (SELECT uniqExactIf(session_id, session_id != '') FROM access_log WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})) AS sessions,
  (SELECT round(quantileExact(0.95)(duration_ms), 3) FROM access_log WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})) AS p95_ms,
  (SELECT countIf((event = 'login_failed' OR (event = 'login' AND NOT success))) FROM auth_events WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})) AS failed_logins,
  (SELECT count() FROM external_calls WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})) AS external_calls,
  (SELECT round(toFloat64(sum(cost_usd)), 6) FROM external_calls WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})) AS cost_usd
