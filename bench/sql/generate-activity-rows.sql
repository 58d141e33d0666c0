-- Synthetic custom activities (one per 10 access rows), hash-derived like generate-access-rows.sql: a bounded set of
-- verbs on a few resource kinds, each with a small JSON details object; one in twenty without a user.
-- params: first UInt64, count UInt64, total UInt64, seed UInt64, end_ms Int64, window_ms UInt64, users UInt64
INSERT INTO activities (timestamp, trace_id, span_id, service, environment, user_id, session_id, action, resource_type,
  resource_id, details, client_ip, user_agent, attributes)
SELECT
  fromUnixTimestamp64Milli(toInt64({end_ms:Int64} - {window_ms:UInt64} + (number + (cityHash64(number, {seed:UInt64}, 41) % 1000) / 1000.) * {window_ms:UInt64} / {total:UInt64}), 'UTC') AS timestamp,
  lower(concat(hex(cityHash64(number, {seed:UInt64}, 42)), hex(cityHash64(number, {seed:UInt64}, 43)))) AS trace_id,
  lower(hex(cityHash64(number, {seed:UInt64}, 44))) AS span_id,
  ['shop-api', 'shop-api', 'shop-api', 'billing', 'search'][1 + cityHash64(number, {seed:UInt64}, 45) % 5] AS service,
  'production' AS environment,
  if(cityHash64(number, {seed:UInt64}, 46) % 20 = 0, '', concat('user-', toString(cityHash64(number, {seed:UInt64}, 47) % {users:UInt64}))) AS user_id,
  if(user_id = '', '', concat('s-', toString(cityHash64(number, {seed:UInt64}, 47) % {users:UInt64}), '-', toString(toYYYYMMDD(timestamp)))) AS session_id,
  ['view', 'view', 'view', 'create', 'update', 'delete', 'export', 'share'][1 + cityHash64(number, {seed:UInt64}, 48) % 8] AS action,
  ['report', 'order', 'order', 'product', 'invoice', 'project'][1 + cityHash64(number, {seed:UInt64}, 49) % 6] AS resource_type,
  toString(cityHash64(number, {seed:UInt64}, 50) % 50000) AS resource_id,
  concat('{"source":"bench","items":', toString(cityHash64(number, {seed:UInt64}, 51) % 20), '}') AS details,
  IPv4ToIPv6(toIPv4(concat('203.0.', toString(cityHash64(number, {seed:UInt64}, 52) % 256), '.0'))) AS client_ip,
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0' AS user_agent,
  map() AS attributes
FROM numbers({first:UInt64}, {count:UInt64})
