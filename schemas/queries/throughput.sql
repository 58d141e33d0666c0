-- name: throughput
-- answers: How many requests and errors per time bucket (default 60 minutes), and how fast?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), bucket_minutes UInt32 = 60
SELECT
  -- Buckets counted from Monday 1970-01-05 00:00 UTC rather than the epoch (a Thursday): same hours and days, and a
  -- 10080-minute bucket is an ISO week starting Monday.
  toDateTime(intDiv(toUnixTimestamp(timestamp) - 345600, {bucket_minutes:UInt32} * 60) * {bucket_minutes:UInt32} * 60 + 345600, 'UTC') AS bucket,
  count() AS requests,
  countIf(status >= 500) AS errors,
  countIf(status >= 400 AND status < 500) AS client_errors,
  -- Summed in whole microseconds: an Int64 sum is exact in any order, a Float64 one is not (the last digit moved
  -- between runs as parts were read in another order).
  round(sum(toInt64(round(duration_ms * 1000))) / count() / 1000, 3) AS avg_ms
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
GROUP BY bucket
ORDER BY bucket
