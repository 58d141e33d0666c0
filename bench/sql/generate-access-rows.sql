-- Synthetic access_log rows for the query-latency bench, made by the engine itself (far faster than from JS).
-- Every value is a hash of (row number, seed, column), so the same seed always gives the same table.
-- params: first UInt64, count UInt64, total UInt64, seed UInt64, end_ms Int64, window_ms UInt64, users UInt64
INSERT INTO access_log (timestamp, trace_id, span_id, service, environment, method, route, path, query, status, duration_ms,
  request_bytes, response_bytes, user_id, session_id, client_ip, user_agent, browser, os, device_type, error_message, attributes)
SELECT
  -- In time order, as traffic arrives (each insert holds a stretch of the window, not all of it), with a jitter below
  -- one row's share of the window.
  fromUnixTimestamp64Milli(toInt64({end_ms:Int64} - {window_ms:UInt64} + (number + (cityHash64(number, {seed:UInt64}, 1) % 1000) / 1000.) * {window_ms:UInt64} / {total:UInt64}), 'UTC') AS timestamp,
  lower(concat(hex(cityHash64(number, {seed:UInt64}, 2)), hex(cityHash64(number, {seed:UInt64}, 3)))) AS trace_id,
  lower(hex(cityHash64(number, {seed:UInt64}, 4))) AS span_id,
  ['shop-api', 'shop-api', 'shop-api', 'billing', 'search'][1 + cityHash64(number, {seed:UInt64}, 5) % 5] AS service,
  'production' AS environment,
  ['GET', 'GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'DELETE'][1 + cityHash64(number, {seed:UInt64}, 6) % 8] AS method,
  concat('/api/r', toString(cityHash64(number, {seed:UInt64}, 7) % 40), '/:id') AS route,
  concat('/api/r', toString(cityHash64(number, {seed:UInt64}, 7) % 40), '/', toString(cityHash64(number, {seed:UInt64}, 8) % 10000)) AS path,
  if(cityHash64(number, {seed:UInt64}, 9) % 4 = 0, 'page=2&sort=price', '') AS query,
  multiIf(cityHash64(number, {seed:UInt64}, 10) % 100 < 2, 500, cityHash64(number, {seed:UInt64}, 10) % 100 < 7, 404, 200) AS status,
  round(-log(1 - (cityHash64(number, {seed:UInt64}, 11) % 1000000) / 1000000.) * 40 + 1, 3) AS duration_ms,
  cityHash64(number, {seed:UInt64}, 12) % 4000 AS request_bytes,
  cityHash64(number, {seed:UInt64}, 13) % 60000 AS response_bytes,
  if(cityHash64(number, {seed:UInt64}, 14) % 10 < 2, '', concat('user-', toString(cityHash64(number, {seed:UInt64}, 15) % {users:UInt64}))) AS user_id,
  -- One session per user and day.
  concat('s-', toString(cityHash64(number, {seed:UInt64}, 15) % {users:UInt64}), '-', toString(toYYYYMMDD(timestamp))) AS session_id,
  IPv4ToIPv6(toIPv4(concat('203.0.', toString(cityHash64(number, {seed:UInt64}, 16) % 256), '.0'))) AS client_ip,
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0', 'Mozilla/5.0 (Macintosh) Safari/17.4', 'Mozilla/5.0 (X11; Linux) Firefox/125.0',
   'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4) Mobile Safari', 'curl/8.5.0'][1 + cityHash64(number, {seed:UInt64}, 17) % 5] AS user_agent,
  ['Chrome', 'Safari', 'Firefox', 'Mobile Safari', 'curl'][1 + cityHash64(number, {seed:UInt64}, 17) % 5] AS browser,
  ['Windows', 'Mac OS', 'Linux', 'iOS', ''][1 + cityHash64(number, {seed:UInt64}, 17) % 5] AS os,
  ['desktop', 'desktop', 'desktop', 'mobile', 'bot'][1 + cityHash64(number, {seed:UInt64}, 17) % 5] AS device_type,
  if(status >= 500, 'upstream timeout', '') AS error_message,
  map() AS attributes
FROM numbers({first:UInt64}, {count:UInt64})
