-- name: dashboard-filters
-- answers: Which services and environments sent requests or made external calls in the window (the dashboard's filter choices)?
-- params: from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
-- A worker that only calls APIs (an LLM batch job) has no requests but has costs to filter by: requests is 0 for it.
-- access_log's whole UTC days are counted from its service_day projection (migration 019), the partial first and
-- last day from its rows.
WITH
    toDate({from:DateTime64(3, 'UTC')}) + (toStartOfDay({from:DateTime64(3, 'UTC')}) != {from:DateTime64(3, 'UTC')}) AS whole_from,
    toDate({to:DateTime64(3, 'UTC')}) AS whole_to,
    least({to:DateTime64(3, 'UTC')}, toDateTime64(whole_from, 3, 'UTC')) AS edge_low_end,
    greatest(edge_low_end, toDateTime64(whole_to, 3, 'UTC')) AS edge_high_start
SELECT service, environment, sum(part_requests) AS requests
FROM
(
  SELECT service, environment, count() AS part_requests
  FROM access_log
  WHERE toDate(timestamp) >= whole_from AND toDate(timestamp) < whole_to
  GROUP BY service, environment
  UNION ALL
  SELECT service, environment, count()
  FROM access_log
  WHERE ((timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < edge_low_end) OR (timestamp >= edge_high_start AND timestamp < {to:DateTime64(3, 'UTC')}))
  GROUP BY service, environment
  UNION ALL
  SELECT service, environment, toUInt64(0)
  FROM external_calls
  WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  GROUP BY service, environment
)
GROUP BY service, environment
ORDER BY service, environment
