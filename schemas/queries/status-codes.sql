-- name: status-codes
-- answers: How are responses split by status code and class (2xx, 3xx, 4xx, 5xx)?
-- params: service String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC')
SELECT
  status,
  concat(toString(intDiv(status, 100)), 'xx') AS class,
  count() AS requests,
  round(count() / sum(count()) OVER (), 4) AS share_ratio
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
GROUP BY status
ORDER BY status
