-- name: dashboard-filters
-- answers: Which services and environments sent requests or made external calls in the window (the dashboard's filter choices)?
-- params: from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
-- A worker that only calls APIs (an LLM batch job) has no requests but has costs to filter by: requests is 0 for it.
SELECT service, environment, sum(part_requests) AS requests
FROM
(
  SELECT service, environment, count() AS part_requests
  FROM access_log
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  GROUP BY service, environment
  UNION ALL
  SELECT service, environment, toUInt64(0)
  FROM external_calls
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  GROUP BY service, environment
)
GROUP BY service, environment
ORDER BY service, environment
