-- Synthetic auth_events rows (one per 20 access rows), hash-derived like generate-access-rows.sql.
-- params: first UInt64, count UInt64, total UInt64, seed UInt64, end_ms Int64, window_ms UInt64, users UInt64
INSERT INTO auth_events (timestamp, trace_id, span_id, service, environment, event, success, user_id, session_id, method, reason,
  client_ip, user_agent, device_type, attributes)
SELECT
  -- In time order, as traffic arrives (each insert holds a stretch of the window, not all of it), with a jitter below
  -- one row's share of the window.
  fromUnixTimestamp64Milli(toInt64({end_ms:Int64} - {window_ms:UInt64} + (number + (cityHash64(number, {seed:UInt64}, 21) % 1000) / 1000.) * {window_ms:UInt64} / {total:UInt64}), 'UTC') AS timestamp,
  lower(concat(hex(cityHash64(number, {seed:UInt64}, 22)), hex(cityHash64(number, {seed:UInt64}, 23)))) AS trace_id,
  lower(hex(cityHash64(number, {seed:UInt64}, 24))) AS span_id,
  'shop-api' AS service,
  'production' AS environment,
  ['login', 'login', 'login', 'login', 'logout', 'signup', 'login_failed', 'token_refresh'][1 + cityHash64(number, {seed:UInt64}, 25) % 8] AS event,
  event != 'login_failed' AS success,
  concat('user-', toString(cityHash64(number, {seed:UInt64}, 26) % {users:UInt64})) AS user_id,
  concat('s-', toString(cityHash64(number, {seed:UInt64}, 26) % {users:UInt64}), '-', toString(toYYYYMMDD(timestamp))) AS session_id,
  'password' AS method,
  if(success, '', 'bad_password') AS reason,
  IPv4ToIPv6(toIPv4(concat('198.51.100.', toString(cityHash64(number, {seed:UInt64}, 27) % 64)))) AS client_ip,
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0' AS user_agent,
  'desktop' AS device_type,
  map() AS attributes
FROM numbers({first:UInt64}, {count:UInt64})
