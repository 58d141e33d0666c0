/**
 * The rollup views whose filter holds the raw retention (`{{retention_days}}`: rows already past it are not rolled
 * up, as the raw tables do not keep them), re-rendered for a new retention as ALTER TABLE … MODIFY QUERY statements.
 * Each view's query is its latest definition in the migrations, so the migrations stay the one place it is written.
 */
import type { QueryEngine } from '../exporter/sinks/query-engine';
import { LOCAL_SUFFIX } from './cluster-ddl';
import { loadMigrations, type MigrationFile } from './migration-files';
import { renderRetention, type RetentionOptions } from './retention';
import { parseDrop, splitSqlStatements, withoutLeadingComments } from './sql-statements';

export interface RetentionView {
  readonly view: string;
  /** `ALTER TABLE <view> MODIFY QUERY <select>` with the retention slots filled. */
  readonly statement: string;
}

const CREATE_VIEW_RE = /^CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_]\w*)\s+TO\s+[A-Za-z_]\w*\s+AS\s+([\s\S]+)$/i;
const MODIFY_QUERY_RE = /^ALTER\s+TABLE\s+([A-Za-z_]\w*)\s+MODIFY\s+QUERY\s+([\s\S]+)$/i;

/** Every view whose latest query counts from the raw retention, in migration order, rendered for `options`. */
export function retentionViews(options: RetentionOptions, migrations: readonly MigrationFile[] = loadMigrations()): RetentionView[] {
  const latest = new Map<string, string>();
  for (const m of migrations) {
    for (const statement of splitSqlStatements(m.sql)) {
      const sql = withoutLeadingComments(statement);
      const defined = CREATE_VIEW_RE.exec(sql) ?? MODIFY_QUERY_RE.exec(sql);
      if (defined) {
        // A re-created view takes its place at the end: the order in which the latest definitions were written.
        latest.delete(defined[1]);
        latest.set(defined[1], defined[2]);
        continue;
      }
      const dropped = parseDrop(sql);
      if (dropped) latest.delete(dropped.name);
    }
  }
  return [...latest]
    .filter(([, query]) => query.includes('{{retention_days}}'))
    .map(([view, query]) => ({ view, statement: `ALTER TABLE ${view} MODIFY QUERY\n${renderRetention(query, options)}` }));
}

/** `TTL toDateTime(timestamp) + toIntervalDay(90)`, as the engine prints it (`_CAST(90, 'UInt32')` once ALTERed). */
const RAW_TTL_DAYS_RE = /\bTTL\s+toDateTime\(timestamp\)\s*\+\s*toIntervalDay\((?:_CAST\()?(\d+)/;

/**
 * The raw retention in force: access_log's TTL days (its local table's on a cluster), or undefined before the first
 * migration. `retention --days` changes it after the config was written, and a view's raw-retention filter must
 * follow the TTL the raw table really has, so migrations and the schema repair render {{retention_days}} from it.
 */
export async function rawRetentionInForce(engine: QueryEngine): Promise<number | undefined> {
  const rows = await engine.query<{ name: string; ddl: string }>(
    'SELECT name, create_table_query AS ddl FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}',
    { names: ['access_log', `access_log${LOCAL_SUFFIX}`] },
  );
  for (const row of rows) {
    const days = RAW_TTL_DAYS_RE.exec(row.ddl)?.[1];
    if (days !== undefined) return Number(days);
  }
  return undefined;
}

/** `options` with retentionDays replaced by the raw retention in force, when the database has one. */
export async function withRetentionInForce<T extends RetentionOptions>(engine: QueryEngine, options: T): Promise<T> {
  const days = await rawRetentionInForce(engine);
  return days === undefined || days === options.retentionDays ? options : { ...options, retentionDays: days };
}
