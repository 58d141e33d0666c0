/**
 * Self-healing schema: the tables and views the migrations create must exist, whatever schema_migrations says. A
 * missing one (someone ran DROP TABLE) is re-created at start by replaying every migration statement in order:
 * each is CREATE … IF NOT EXISTS, ADD COLUMN IF NOT EXISTS, MODIFY SETTING/QUERY/COLUMN, so on objects that are
 * there the replay changes nothing. Materialized views attach to their source by name and feed a re-created one.
 */
import { diag } from '@opentelemetry/api';
import type { QueryEngine } from '../exporter/sinks/query-engine';
import { loadMigrations } from './migration-files';
import { renderRetention, type RetentionOptions } from './retention';
import { parseDrop, splitSqlStatements, withoutLeadingComments } from './sql-statements';
import { withRetentionInForce } from './view-retention';

export interface RepairResult {
  /** Tables and views that were missing, in migration order; [] when none was. */
  readonly missing: string[];
  /** Still missing after the replay (then ingest cannot commit). */
  readonly stillMissing: string[];
}

// At the statement's start (its leading comments removed), so a CREATE named inside a later comment line is not read.
const CREATES = /^\s*CREATE\s+(?:TABLE|MATERIALIZED\s+VIEW|VIEW)\s+IF\s+NOT\s+EXISTS\s+`?([A-Za-z0-9_]+)`?/i;

/** The objects the migrations create and leave in place (a later migration may drop one), in order. */
export function migratedObjects(migrationsDir?: string): string[] {
  const names: string[] = [];
  for (const m of loadMigrations(migrationsDir)) {
    for (const statement of splitSqlStatements(m.sql)) {
      const sql = withoutLeadingComments(statement);
      const name = CREATES.exec(sql)?.[1];
      if (name && !names.includes(name)) names.push(name);
      const dropped = parseDrop(sql)?.name;
      if (dropped && names.includes(dropped)) names.splice(names.indexOf(dropped), 1);
    }
  }
  return names;
}

export async function repairSchema(engine: QueryEngine, options: RetentionOptions & { readonly migrationsDir?: string }): Promise<RepairResult> {
  const expected = migratedObjects(options.migrationsDir);
  const missing = await missingObjects(engine, expected);
  if (missing.length === 0) return { missing, stillMissing: [] };
  diag.warn(`otel-activity: ${missing.join(', ')} missing though schema_migrations lists every migration; re-creating from the migrations`);
  // The views' raw-retention filters are replayed with the raw TTL in force, not reset to the config's days.
  const retention = await withRetentionInForce(engine, options);
  for (const m of loadMigrations(options.migrationsDir)) {
    for (const statement of splitSqlStatements(renderRetention(m.sql, retention))) await engine.command(statement);
  }
  const stillMissing = await missingObjects(engine, expected);
  if (stillMissing.length) diag.error(`otel-activity: ${stillMissing.join(', ')} still missing after re-running the migrations`);
  else diag.warn(`otel-activity: re-created ${missing.join(', ')}`);
  return { missing, stillMissing };
}

async function missingObjects(engine: QueryEngine, expected: readonly string[]): Promise<string[]> {
  const rows = await engine.query<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase()');
  const present = new Set(rows.map((r) => r.name));
  return expected.filter((name) => !present.has(name));
}
