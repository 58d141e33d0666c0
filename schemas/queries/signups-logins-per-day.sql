-- name: signups-logins-per-day
-- answers: How many signups, successful logins and failed logins happened each day?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
SELECT
  toDate(timestamp) AS day,
  countIf(event = 'signup' AND success) AS signups,
  countIf(event = 'login' AND success) AS logins,
  countIf(event = 'login_failed' OR (event = 'login' AND NOT success)) AS failed_logins
FROM auth_events
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
GROUP BY day
ORDER BY day
