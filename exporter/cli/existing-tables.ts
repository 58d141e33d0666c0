/**
 * The raw tables the CLI manages (retention, cleanup, erase, export) and the ones present in the engine right now.
 */
import type { Sink } from '../sinks/sink';
import { ServiceQuerySink } from './service-query-sink';

/** Raw event tables, each with `timestamp` and `user_id` columns. */
export const RAW_TABLES = ['access_log', 'auth_events', 'external_calls', 'activities'] as const;

/** Rollup tables (and alerts) with the expression their TTL counts from; column names are fixed, never user input. */
export const ROLLUP_TABLES: ReadonlyArray<readonly [string, string]> = [
  ['access_route_daily', 'day'],
  ['access_client_daily', 'day'],
  ['auth_daily', 'day'],
  ['external_cost_daily', 'day'],
  ['access_session_daily', 'day'],
  ['access_user_daily', 'day'],
  ['alerts', 'toDateTime(created_at)'],
];

export async function existingTables(sink: Sink): Promise<Set<string>> {
  // A running service answers for the tables it lets anyone read; system.* is not among them.
  if (sink instanceof ServiceQuerySink) return new Set(Object.keys(await sink.tables()));
  const rows = await sink.query<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase()');
  return new Set(rows.map((r) => r.name));
}

/** The column names of one table. */
export async function tableColumns(sink: Sink, table: string): Promise<Set<string>> {
  if (sink instanceof ServiceQuerySink) return new Set(((await sink.tables())[table]?.columns ?? []).map((c) => c.name));
  const rows = await sink.query<{ name: string }>('SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String}', { table });
  return new Set(rows.map((c) => c.name));
}
