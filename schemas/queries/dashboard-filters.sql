-- name: dashboard-filters
-- answers: Which services and environments sent requests in the window (the dashboard's filter choices)?
-- params: from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
SELECT service, environment, count() AS requests
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
GROUP BY service, environment
ORDER BY service, environment
