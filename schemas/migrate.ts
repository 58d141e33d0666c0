/**
 * Applies the versioned migrations in order and records each one in `schema_migrations`; already-applied
 * versions are skipped, so running it again is a no-op. Works on any QueryEngine (embedded chDB or a server).
 */
import { diag } from '@opentelemetry/api';
import type { QueryEngine } from '../exporter/sinks/query-engine';
import { clusterDdl, validateClusterName } from './cluster-ddl';
import { loadMigrations, readSchemaMigrationsDdl, type MigrationFile } from './migration-files';
import { renderRetention, type RetentionOptions } from './retention';
import { splitSqlStatements } from './sql-statements';
import { withRetentionInForce } from './view-retention';
import { toClickHouseTime } from '../exporter/rows/format-timestamp';

export interface MigrateOptions extends RetentionOptions {
  /** Generate `ON CLUSTER` + Replicated*MergeTree + Distributed DDL for this cluster (see schemas/README.md). */
  readonly cluster?: string;
  /** Another folder of NNN_name.sql files (tests); defaults to the shipped schemas/migrations. */
  readonly migrationsDir?: string;
}

export interface MigrateResult {
  /** Names (e.g. `001_access_log`) applied by this call, in order; [] when the schema was up to date. */
  readonly applied: string[];
}

/** A migration statement the engine refused. Statements before it in the same migration were applied. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    message: string,
    readonly migration: string,
    /** 1-based index of the failing statement within the migration. */
    readonly statementIndex: number,
    readonly statement: string,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/** An applied migration's file has changed since: the database no longer matches what the file says. */
export class MigrationChecksumError extends Error {
  override readonly name = 'MigrationChecksumError';
}

const APPLIED_SQL = 'SELECT version, any(name) AS name, any(checksum) AS checksum FROM schema_migrations GROUP BY version ORDER BY version';

export async function migrate(engine: QueryEngine, options: MigrateOptions): Promise<MigrateResult> {
  // Validate everything before touching the database, so a bad option changes nothing.
  const migrations = loadMigrations(options.migrationsDir);
  const renderAll = (retention: RetentionOptions) => migrations.map((m) => ({ migration: m, statements: statementsOf(renderRetention(m.sql, retention), options.cluster) }));
  let rendered = renderAll(options);
  if (options.cluster !== undefined) validateClusterName(options.cluster);
  // A new view's raw-retention filter follows the raw TTL in force (changed by `retention --days` since the config).
  const inForce = await withRetentionInForce(engine, options);
  if (inForce !== options) rendered = renderAll(inForce);

  for (const statement of statementsOf(readSchemaMigrationsDdl(), options.cluster)) {
    await run(engine, statement, 'schema_migrations', 1);
  }
  const appliedRows = await engine.query<{ version: number | string; name: string; checksum: string }>(APPLIED_SQL);
  const applied = new Map(appliedRows.map((r) => [Number(r.version), r]));

  for (const m of migrations) {
    const done = applied.get(m.version);
    if (done && done.checksum !== m.checksum) {
      throw new MigrationChecksumError(
        `otel-activity: migration ${m.name} was applied with checksum ${done.checksum} but the file now has ${m.checksum}. ` +
          'Applied migrations must not be edited: restore the file and put the change in a new migration (next NNN).',
      );
    }
  }

  const appliedNow: string[] = [];
  for (const { migration, statements } of rendered) {
    if (applied.has(migration.version)) continue;
    for (let i = 0; i < statements.length; i++) {
      await run(engine, statements[i], migration.name, i + 1, statements.length);
    }
    await record(engine, migration);
    appliedNow.push(migration.name);
    diag.info(`otel-activity: applied migration ${migration.name}`);
  }
  return { applied: appliedNow };
}

function statementsOf(sql: string, cluster: string | undefined): string[] {
  const statements = splitSqlStatements(sql);
  return cluster === undefined ? statements : statements.flatMap((s) => clusterDdl(s, cluster));
}

async function run(engine: QueryEngine, statement: string, migration: string, index: number, total = 1): Promise<void> {
  try {
    await engine.command(statement);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const summary = firstCodeLine(statement);
    throw new MigrationError(
      `otel-activity: migration ${migration} failed at statement ${index} of ${total} (${summary}): ${reason.trim()}. ` +
        (index > 1 ? `Statements 1-${index - 1} of it were applied; ` : '') +
        'every statement is CREATE … IF NOT EXISTS, so fix the cause and run migrate again to finish it.',
      migration,
      index,
      statement,
      error,
    );
  }
}

/**
 * One row, values bound as parameters. A record written twice (a retry, two processes migrating at once) collapses:
 * schema_migrations is a ReplacingMergeTree on version, and readers GROUP BY version.
 */
const RECORD_SQL =
  'INSERT INTO schema_migrations (version, name, checksum, applied_at) ' +
  "SELECT {version:UInt32}, {name:String}, {checksum:String}, toDateTime64({applied_at:String}, 3, 'UTC')";

async function record(engine: QueryEngine, m: MigrationFile): Promise<void> {
  const appliedAt = toClickHouseTime(new Date());
  try {
    await engine.command(RECORD_SQL, { version: m.version, name: m.name, checksum: m.checksum, applied_at: appliedAt });
  } catch (raw) {
    const error = raw instanceof Error ? raw : new Error(String(raw));
    throw new MigrationError(
      `otel-activity: migration ${m.name} was applied but recording it in schema_migrations failed: ${error.message}. Run migrate again (it is idempotent).`,
      m.name,
      0,
      'INSERT INTO schema_migrations',
      error,
    );
  }
}

/** The first line of a statement that is not a comment, for error messages. */
function firstCodeLine(statement: string): string {
  const line = statement.split('\n').find((l) => l.trim() !== '' && !l.trim().startsWith('--')) ?? statement;
  return line.trim().slice(0, 120);
}
