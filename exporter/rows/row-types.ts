/**
 * One row type per ClickHouse row table (the tables themselves: table-registry.ts); field names are the column names
 * (see schemas/migrations). Timestamps are 'YYYY-MM-DD hh:mm:ss.sss' strings in UTC, the text form every engine and
 * format accepts.
 */

export interface AccessRow {
  timestamp: string;
  trace_id: string;
  span_id: string;
  service: string;
  environment: string;
  method: string;
  route: string;
  path: string;
  /** Redacted query string, without the leading '?'. */
  query: string;
  status: number;
  duration_ms: number;
  request_bytes: number;
  response_bytes: number;
  user_id: string;
  session_id: string;
  /** Anonymised address as text (IPv4 or IPv6); '::' when unknown, dropped or invalid ('' fails an IPv6 INSERT). Stored as IPv6. */
  client_ip: string;
  user_agent: string;
  browser: string;
  os: string;
  device_type: string;
  error_message: string;
  attributes: Record<string, string>;
}

export interface AuthRow {
  timestamp: string;
  trace_id: string;
  span_id: string;
  service: string;
  environment: string;
  event: string;
  success: boolean;
  user_id: string;
  session_id: string;
  method: string;
  reason: string;
  client_ip: string;
  user_agent: string;
  device_type: string;
  attributes: Record<string, string>;
}

export interface ExternalCallRow {
  timestamp: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  service: string;
  environment: string;
  provider: string;
  /** http, llm, call or usage (migration 013). */
  call_kind: string;
  method: string;
  host: string;
  url: string;
  status: number;
  duration_ms: number;
  request_bytes: number;
  response_bytes: number;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** null: a model call with no known price (unpriced), never read as free. */
  cost_usd: number | null;
  user_id: string;
  session_id: string;
  error_message: string;
  attributes: Record<string, string>;
}

export interface ActivityRow {
  timestamp: string;
  trace_id: string;
  span_id: string;
  service: string;
  environment: string;
  user_id: string;
  session_id: string;
  action: string;
  resource_type: string;
  resource_id: string;
  /** JSON text. */
  details: string;
  client_ip: string;
  user_agent: string;
  attributes: Record<string, string>;
}
