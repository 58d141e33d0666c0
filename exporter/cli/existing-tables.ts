/**
 * The tables present in the engine right now, and their columns (what the migrations create: rows/table-registry.ts).
 */
import type { QueryEngine } from '../sinks/query-engine';
import { ServiceQuerySink } from './service-query-sink';

export async function existingTables(sink: QueryEngine): Promise<Set<string>> {
  // A running service answers for the tables it lets anyone read; system.* is not among them.
  if (sink instanceof ServiceQuerySink) return new Set(Object.keys(await sink.tables()));
  const rows = await sink.query<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase()');
  return new Set(rows.map((r) => r.name));
}

/** The column names of one table. */
export async function tableColumns(sink: QueryEngine, table: string): Promise<Set<string>> {
  if (sink instanceof ServiceQuerySink) return new Set(((await sink.tables())[table]?.columns ?? []).map((c) => c.name));
  const rows = await sink.query<{ name: string }>('SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String}', { table });
  return new Set(rows.map((c) => c.name));
}
