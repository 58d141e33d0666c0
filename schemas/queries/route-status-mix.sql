-- name: route-status-mix
-- answers: For one endpoint, how are its responses split by status code?
-- params: service String = '', environment String = '', from DateTime64(3, 'UTC'), to DateTime64(3, 'UTC'), method String = '', route String
SELECT
  status,
  count() AS requests,
  round(count() / sum(count()) OVER (), 4) AS share_ratio
FROM access_log
WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND ({service:String} = '' OR service = {service:String})
  AND ({environment:String} = '' OR environment = {environment:String})
  AND route = {route:String}
  AND ({method:String} = '' OR method = {method:String})
GROUP BY status
ORDER BY requests DESC, status
