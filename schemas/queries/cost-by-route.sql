-- name: cost-by-route
-- answers: Which routes' requests caused what external cost (calls made while serving them, tokens, USD)?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), limit UInt32 = 50, offset UInt32 = 0
-- A call belongs to the request of its own trace and service (the access_log row that trace started in that service,
-- the earliest when there are several), however deep under it the call was made. Calls outside any request (a worker,
-- a cron job, a request whose span was not stored) are '(no request)'. requests: distinct requests that made calls.
SELECT
  req.method AS method,
  if(req.trace_id = '', '(no request)', req.route) AS route,
  uniqExactIf(req.trace_id, req.trace_id != '') AS requests,
  count() AS calls,
  sum(e.input_tokens) AS input_tokens,
  sum(e.output_tokens) AS output_tokens,
  toFloat64(sum(ifNull(e.cost_usd, toDecimal64(0, 9)))) AS cost_usd,
  -- Model calls with no known price, not in cost_usd.
  countIf(e.cost_usd IS NULL) AS unpriced_calls,
  sum(e.cache_read_tokens) AS cache_read_tokens,
  sum(e.cache_write_tokens) AS cache_write_tokens,
  sum(e.reasoning_tokens) AS reasoning_tokens
FROM external_calls AS e
LEFT JOIN
(
  SELECT trace_id, service, argMin(method, timestamp) AS method, argMin(route, timestamp) AS route
  FROM access_log
  -- The calls' traces found by the 64-bit key of migration 018 (integers, not 10M id strings); the join below is
  -- on the id itself, so a hash collision only lets a row through to be rejected there.
  WHERE trace_key IN (
    SELECT if(trace_id = '', 0, cityHash64(trace_id)) FROM external_calls
    WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
      AND ({service:String} = '' OR service = {service:String})
      AND ({environment:String} = '' OR environment = {environment:String})
  )
  GROUP BY trace_id, service
) AS req ON req.trace_id = e.trace_id AND req.service = e.service
WHERE e.timestamp >= {from:DateTime64(3, 'UTC')} AND e.timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR e.service = {service:String})
  AND ({environment:String} = '' OR e.environment = {environment:String})
GROUP BY method, route
ORDER BY cost_usd DESC, route, method
LIMIT {limit:UInt32} OFFSET {offset:UInt32}
