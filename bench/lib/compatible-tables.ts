/**
 * The three row tables in a shape Debian's clickhouse-server 18.16 accepts, for runs of real service processes
 * against that server (the scale-out bench and its test), and the exact row checks on them.
 *
 * Why they differ from schemas/migrations: 18.16 has no DateTime64, Map, LowCardinality, IPv6 or Bool, and cannot
 * parse '…ss.sss' into DateTime, so timestamps, addresses and names are String and the attributes map is not stored
 * (the server's user profile sets input_format_skip_unknown_fields, SERVER_PROFILE). It also knows neither
 * insert_deduplication_token nor query parameters, so idempotence comes from the table: ReplacingMergeTree ordered
 * by span_id. count() FINAL is the number of distinct spans stored, count() the rows written: a span stored twice
 * shows as count() > count() FINAL, a lost one as count() FINAL < the spans sent. No projections, rollup views or
 * TTL: this measures ingest into raw rows, not the real schema's insert cost.
 */

/** The profile of the server's user: rows carry fields these tables leave out (attributes). */
export const SERVER_PROFILE: Readonly<Record<string, string>> = { input_format_skip_unknown_fields: '1' };

const COMMON = 'timestamp String, trace_id String, span_id String, service String, environment String';

export const COMPATIBLE_TABLES = {
  access_log:
    `${COMMON}, method String, route String, path String, query String, status UInt16, duration_ms Float64, ` +
    'request_bytes UInt64, response_bytes UInt64, user_id String, session_id String, client_ip String, user_agent String, ' +
    'browser String, os String, device_type String, error_message String',
  auth_events:
    `${COMMON}, event String, success UInt8, user_id String, session_id String, method String, reason String, ` +
    'client_ip String, user_agent String, device_type String',
  external_calls:
    `${COMMON}, parent_span_id String, provider String, call_kind String, method String, host String, url String, ` +
    'status UInt16, duration_ms Float64, request_bytes UInt64, response_bytes UInt64, model String, input_tokens UInt64, ' +
    'output_tokens UInt64, cache_read_tokens UInt64, cache_write_tokens UInt64, reasoning_tokens UInt64, ' +
    'cost_usd Nullable(Float64), user_id String, session_id String, error_message String',
} as const;

export type CompatibleTable = keyof typeof COMPATIBLE_TABLES;
export const COMPATIBLE_TABLE_NAMES = Object.keys(COMPATIBLE_TABLES) as CompatibleTable[];

/** The statements creating `database` and its tables. */
export function compatibleSchemaDdl(database: string): string[] {
  return [
    `CREATE DATABASE ${database}`,
    ...COMPATIBLE_TABLE_NAMES.map((table) => `CREATE TABLE ${database}.${table} (${COMPATIBLE_TABLES[table]}) ENGINE = ReplacingMergeTree ORDER BY span_id`),
  ];
}

/** Rows written (count()) and distinct spans (count() FINAL) of one table. */
export interface TableCounts {
  readonly rows: number;
  readonly spans: number;
}

/** Both counts of every table in one statement, so they describe the same moment. */
export function countsSql(database: string): string {
  const parts = COMPATIBLE_TABLE_NAMES.flatMap((table) => [
    `(SELECT count() FROM ${database}.${table}) AS ${table}_rows`,
    `(SELECT count() FROM ${database}.${table} FINAL) AS ${table}_spans`,
  ]);
  return `SELECT ${parts.join(', ')}`;
}

export function parseCounts(row: Record<string, string | number>): Record<CompatibleTable, TableCounts> {
  const out = {} as Record<CompatibleTable, TableCounts>;
  for (const table of COMPATIBLE_TABLE_NAMES) out[table] = { rows: Number(row[`${table}_rows`]), spans: Number(row[`${table}_spans`]) };
  return out;
}

const TABLE_OF_KIND: Readonly<Record<string, CompatibleTable>> = { access: 'access_log', auth: 'auth_events', external: 'external_calls' };

/** How many rows each table should hold once these spans are stored, from their activity.kind. */
export function expectedRows(spans: ReadonlyArray<{ readonly attributes: Readonly<Record<string, unknown>> }>): Record<CompatibleTable, number> {
  const out = Object.fromEntries(COMPATIBLE_TABLE_NAMES.map((table) => [table, 0])) as Record<CompatibleTable, number>;
  for (const span of spans) {
    const table = TABLE_OF_KIND[String(span.attributes['activity.kind'])];
    if (table) out[table]++;
  }
  return out;
}
