-- name: auth-per-day.raw
-- answers: How many signups, logins, failed logins, logouts (every auth event) per day, from raw auth rows?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
SELECT
  toDate(timestamp) AS day,
  event,
  success,
  count() AS events,
  uniq(nullIf(user_id, '')) AS unique_users
FROM auth_events
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY day, event, success
ORDER BY day, event, success
