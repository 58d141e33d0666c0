-- name: throughput
-- answers: How many requests and errors per time bucket (default 60 minutes), and how fast?
-- params: service String = '', from DateTime64(3), to DateTime64(3), bucket_minutes UInt32 = 60
SELECT
  toStartOfInterval(timestamp, toIntervalMinute({bucket_minutes:UInt32})) AS bucket,
  count() AS requests,
  countIf(status >= 500) AS errors,
  countIf(status >= 400 AND status < 500) AS client_errors,
  round(avg(duration_ms), 3) AS avg_ms
FROM access_log
WHERE timestamp >= {from:DateTime64(3)} AND timestamp < {to:DateTime64(3)}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY bucket
ORDER BY bucket
