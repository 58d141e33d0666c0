-- Synthetic external_calls rows (one per 10 access rows): LLM calls with tokens and cost, and plain API calls.
-- params: first UInt64, count UInt64, total UInt64, seed UInt64, end_ms Int64, window_ms UInt64, users UInt64
INSERT INTO external_calls (timestamp, trace_id, span_id, parent_span_id, service, environment, provider, method, host, url, status,
  duration_ms, request_bytes, response_bytes, model, input_tokens, output_tokens, cost_usd, user_id, session_id, error_message, attributes)
SELECT
  -- In time order, as traffic arrives (each insert holds a stretch of the window, not all of it), with a jitter below
  -- one row's share of the window.
  fromUnixTimestamp64Milli(toInt64({end_ms:Int64} - {window_ms:UInt64} + (number + (cityHash64(number, {seed:UInt64}, 31) % 1000) / 1000.) * {window_ms:UInt64} / {total:UInt64}), 'UTC') AS timestamp,
  lower(concat(hex(cityHash64(number, {seed:UInt64}, 32)), hex(cityHash64(number, {seed:UInt64}, 33)))) AS trace_id,
  lower(hex(cityHash64(number, {seed:UInt64}, 34))) AS span_id,
  lower(hex(cityHash64(number, {seed:UInt64}, 35))) AS parent_span_id,
  'shop-api' AS service,
  'production' AS environment,
  ['openai', 'openai', 'anthropic', 'stripe', 'sendgrid'][1 + cityHash64(number, {seed:UInt64}, 36) % 5] AS provider,
  'POST' AS method,
  ['api.openai.com', 'api.openai.com', 'api.anthropic.com', 'api.stripe.com', 'api.sendgrid.com'][1 + cityHash64(number, {seed:UInt64}, 36) % 5] AS host,
  concat('https://', host, '/v1/endpoint') AS url,
  if(cityHash64(number, {seed:UInt64}, 37) % 50 = 0, 503, 200) AS status,
  round(50 + (cityHash64(number, {seed:UInt64}, 38) % 3000) / 1., 3) AS duration_ms,
  cityHash64(number, {seed:UInt64}, 39) % 8000 AS request_bytes,
  cityHash64(number, {seed:UInt64}, 40) % 20000 AS response_bytes,
  ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4', '', ''][1 + cityHash64(number, {seed:UInt64}, 36) % 5] AS model,
  if(model = '', 0, 100 + cityHash64(number, {seed:UInt64}, 41) % 3000) AS input_tokens,
  if(model = '', 0, 20 + cityHash64(number, {seed:UInt64}, 42) % 800) AS output_tokens,
  (input_tokens * 0.5 + output_tokens * 2.0) / 1000000. AS cost_usd,
  concat('user-', toString(cityHash64(number, {seed:UInt64}, 43) % {users:UInt64})) AS user_id,
  '' AS session_id,
  if(status >= 500, 'service unavailable', '') AS error_message,
  map() AS attributes
FROM numbers({first:UInt64}, {count:UInt64})
