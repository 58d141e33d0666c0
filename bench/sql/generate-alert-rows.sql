-- Synthetic alerts (one per 1,000 access rows) with their lifecycle as the alert engine writes it: every alert is
-- inserted open; a third stay open, a third are acknowledged, a third acknowledged then resolved, each version a
-- whole row with a later updated_at (alerts is a ReplacingMergeTree; alert-history reads the newest version of each id).
-- params: first UInt64, count UInt64, total UInt64, seed UInt64, end_ms Int64, window_ms UInt64, users UInt64
INSERT INTO alerts (id, created_at, updated_at, service, rule, severity, status, subject, value, threshold, details,
  acknowledged_by, acknowledged_at, resolved_at)
SELECT
  reinterpretAsUUID(concat(reinterpretAsString(cityHash64(number, {seed:UInt64}, 61)), reinterpretAsString(cityHash64(number, {seed:UInt64}, 62)))) AS id,
  fromUnixTimestamp64Milli(toInt64({end_ms:Int64} - {window_ms:UInt64} + (number + (cityHash64(number, {seed:UInt64}, 63) % 1000) / 1000.) * {window_ms:UInt64} / {total:UInt64}), 'UTC') AS created_at,
  created_at + toIntervalMinute(version * (1 + cityHash64(number, {seed:UInt64}, 64) % 90)) AS updated_at,
  ['shop-api', 'shop-api', 'billing', 'search'][1 + cityHash64(number, {seed:UInt64}, 65) % 4] AS service,
  ['failed-login-burst-ip', 'failed-login-burst-user', 'error-rate-spike', 'cost-spike-user', 'rapid-navigation'][1 + cityHash64(number, {seed:UInt64}, 66) % 5] AS rule,
  ['info', 'warning', 'warning', 'critical'][1 + cityHash64(number, {seed:UInt64}, 67) % 4] AS severity,
  ['open', 'acknowledged', 'resolved'][1 + version] AS status,
  concat('user-', toString(cityHash64(number, {seed:UInt64}, 68) % {users:UInt64})) AS subject,
  toFloat64(10 + cityHash64(number, {seed:UInt64}, 69) % 90) AS value,
  10. AS threshold,
  '{"window_minutes":5}' AS details,
  if(version >= 1, 'admin', '') AS acknowledged_by,
  if(version >= 1, created_at + toIntervalMinute(1 + cityHash64(number, {seed:UInt64}, 64) % 90), NULL) AS acknowledged_at,
  if(version = 2, updated_at, NULL) AS resolved_at
FROM numbers({first:UInt64}, {count:UInt64})
-- versions 0 (open), 1 (acknowledged), 2 (resolved)
ARRAY JOIN range(1 + (cityHash64(number, {seed:UInt64}, 70) % 3 != 0) + (cityHash64(number, {seed:UInt64}, 70) % 3 = 1)) AS version
