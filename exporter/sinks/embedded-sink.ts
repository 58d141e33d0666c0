/**
 * Sink over chDB, the ClickHouse engine in-process: one Session on one data directory, one INSERT per batch
 * (JSONCompactEachRow bytes through chDB's raw insert), queries with server-side bound parameters.
 * chDB locks its data directory; a second process gets DataDirInUseError naming the owner, not a crash.
 * The engine is loaded and sized by chdb-engine.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diag } from '@opentelemetry/api';
import type { Session } from 'chdb';
import { ENGINE_CONNECTION_ARGS, loadChdb } from './chdb-engine';
import { ClickHouseServerError, NON_RETRYABLE_CODES } from './clickhouse-errors';
import { toCompactRows } from './compact-rows';
import type { InsertResult, QueryParams, Sink } from './sink';
import { isProcessAlive } from '../process-alive';

export interface EmbeddedSinkOptions {
  /** chDB's data directory (created if missing). One process at a time. */
  readonly dataDir: string;
}

/** Another process holds the data directory. Retryable: it may stop; meanwhile the exporter spools. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    /** The owner's pid from its pid file, when there is one. */
    readonly ownerPid: number | undefined,
    cause: unknown,
  ) {
    const owner = ownerPid === undefined ? 'another process' : `another process (pid ${ownerPid}${isProcessAlive(ownerPid) ? '' : '?'})`;
    super(
      `otel-activity: data directory ${dataDir} is in use by ${owner}. Stop it, or point OTEL_ACTIVITY_DATA_DIR elsewhere, ` +
        'or use the CLI, which talks to the running service.',
    );
    (this as { cause?: unknown }).cause = cause;
  }
}

/** Parse failures that chDB reports beyond the server's shared list (a bad value in a row never parses on retry). */
const EMBEDDED_NON_RETRYABLE_CODES: ReadonlySet<number> = new Set([
  ...NON_RETRYABLE_CODES,
  38, // CANNOT_PARSE_DATE
  675, // CANNOT_PARSE_IPV4
  676, // CANNOT_PARSE_IPV6
]);

/**
 * NO_SUCH_COLUMN_IN_TABLE: the table lost a column since its columns were read by a statement that did not go
 * through command() (which forgets them); read them again rather than reject the batch.
 */
const NO_SUCH_COLUMN = 16;

/** Written inside the data directory once the lock is ours, so a second process can name the owner. */
const PID_FILE = 'otel-activity.pid';

export class EmbeddedSink implements Sink {
  readonly kind = 'embedded';
  readonly dataDir: string;
  private session: Session | undefined;
  private closed = false;
  private readonly insertableColumns = new Map<string, ReadonlySet<string>>();

  constructor(options: EmbeddedSinkOptions) {
    this.dataDir = path.resolve(options.dataDir);
  }

  /**
   * Opens the data directory now (otherwise the first call does). Throws DataDirInUseError when another process
   * holds it; a later call tries again, so a sink outlives the other process stopping.
   */
  open(): void {
    this.sessionOrThrow();
  }

  /**
   * One INSERT per batch, as JSONCompactEachRow bytes under the column list the rows hold. Measured with 10k
   * access_log rows (chDB 3.4), five rounds, engine time alone (into a Null table of the same columns): JSONEachRow
   * 181 ms, TabSeparated 103, JSONCompactEachRow 75; building the text in JS 79 ms for JSONEachRow and 75 for
   * compact, which also halves the bytes (bench/RESULTS.md, 2026-12-04). Earlier, chDB's object-array insert API (an
   * inline multi-row INSERT) was slower than either raw form. The raw path hands parsing to the engine's parallel
   * parser and builds no SQL text from values.
   */
  async insert(table: string, rows: ReadonlyArray<object>, options: { readonly dedupToken: string }): Promise<InsertResult> {
    if (rows.length === 0) return { ok: true };
    let session: Session;
    try {
      session = this.sessionOrThrow();
    } catch (error) {
      return { ok: false, retryable: !this.closed, error: error as Error };
    }
    try {
      try {
        await this.insertOnce(session, table, rows, options.dedupToken);
      } catch (raw) {
        if ((raw as { clickhouseCode?: unknown })?.clickhouseCode !== NO_SUCH_COLUMN) throw raw;
        this.insertableColumns.delete(table);
        await this.insertOnce(session, table, rows, options.dedupToken);
      }
      return { ok: true };
    } catch (raw) {
      const error = toServerError(raw);
      const retryable = error.code === undefined || !EMBEDDED_NON_RETRYABLE_CODES.has(error.code);
      return { ok: false, retryable, error };
    }
  }

  private async insertOnce(session: Session, table: string, rows: ReadonlyArray<object>, dedupToken: string): Promise<void> {
    const { columns, body } = toCompactRows(rows, await this.columnsOf(table));
    await session.insert({
      table,
      columns,
      values: body,
      format: 'JSONCompactEachRow',
      settings: {
        // A retried or replayed batch is stored once (tables set non_replicated_deduplication_window, migration
        // 009), and so is its contribution to the rollups the materialized views feed.
        insert_deduplication_token: dedupToken,
        deduplicate_blocks_in_dependent_materialized_views: 1,
        // Daily partitions: a backfill or a skewed clock can put one batch across more than the default 100 days,
        // and TOO_MANY_PARTITIONS would fail that batch on every retry, blocking the spool behind it. A batch is at
        // most flushCount rows, which bounds the parts one insert can create.
        max_partitions_per_insert_block: 0,
      },
    });
  }

  /**
   * The columns an INSERT may name (not MATERIALIZED or ALIAS), read once per table: rows from a newer version may
   * hold a column this schema does not have, and are stored without it. Undefined for a table the engine does not
   * know, so the insert reports that.
   */
  private async columnsOf(table: string): Promise<ReadonlySet<string> | undefined> {
    const known = this.insertableColumns.get(table);
    if (known !== undefined) return known;
    const names = (
      await this.query<{ name: string }>(
        "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String} AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')",
        { table },
      )
    ).map((column) => column.name);
    if (names.length === 0) return undefined;
    const columns = new Set(names);
    this.insertableColumns.set(table, columns);
    return columns;
  }

  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    const session = this.sessionOrThrow();
    try {
      const result = params
        ? await session.queryBindAsync(sql, params, { format: 'JSONEachRow' })
        : await session.queryAsync(sql, { format: 'JSONEachRow' });
      const text = result.text();
      const rows: T[] = [];
      for (const line of text.split('\n')) if (line !== '') rows.push(JSON.parse(line) as T);
      return rows;
    } catch (raw) {
      throw toServerError(raw);
    }
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    const session = this.sessionOrThrow();
    // A command may be a migration's ALTER: the columns an insert names are read again after it.
    this.insertableColumns.clear();
    try {
      if (params) await session.queryBindAsync(sql, params);
      else await session.queryAsync(sql);
    } catch (raw) {
      throw toServerError(raw);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    session.close();
    removeOwnPidFile(this.dataDir);
  }

  private sessionOrThrow(): Session {
    if (this.session) return this.session;
    if (this.closed) throw new Error(`otel-activity: the embedded sink on ${this.dataDir} is closed`);
    // Owner-only (the parent .otel-activity too when made here): the rows hold user ids, addresses and costs.
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    narrowToOwner(this.dataDir);
    try {
      const { Session: ChdbSession } = loadChdb();
      this.session = new ChdbSession(this.dataDir, { connectionArgs: ENGINE_CONNECTION_ARGS });
    } catch (error) {
      // chDB only says "Failed to create connection" (the lock message goes to stderr); a lock held by a live
      // owner is by far the usual cause, and the pid file tells us who.
      // Unwritable directories are checked first so they are not misreported as a lock.
      fs.accessSync(this.dataDir, fs.constants.R_OK | fs.constants.W_OK);
      const owner = readOwnerPid(this.dataDir);
      throw new DataDirInUseError(this.dataDir, owner === process.pid ? undefined : owner, error);
    }
    writePidFile(this.dataDir);
    return this.session;
  }
}

function toServerError(raw: unknown): ClickHouseServerError {
  if (raw instanceof ClickHouseServerError) return raw;
  const e = raw as { message?: unknown; clickhouseCode?: unknown };
  const message = typeof e?.message === 'string' ? e.message.trim() : String(raw);
  const code = typeof e?.clickhouseCode === 'number' ? e.clickhouseCode : undefined;
  const error = new ClickHouseServerError(message, code);
  (error as { cause?: unknown }).cause = raw;
  return error;
}

function readOwnerPid(dataDir: string): number | undefined {
  try {
    const pid = Number(JSON.parse(fs.readFileSync(path.join(dataDir, PID_FILE), 'utf8')).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** chmod 0700 a directory made by an older version (0755); not ours to change, or not possible: left as it is. */
function narrowToOwner(dir: string): void {
  try {
    if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
  } catch {
    // Owned by someone else (a shared mount): access checks below report what matters.
  }
}

function writePidFile(dataDir: string): void {
  try {
    fs.writeFileSync(path.join(dataDir, PID_FILE), JSON.stringify({ pid: process.pid, since: new Date().toISOString() }) + '\n', { mode: 0o600 });
  } catch (error) {
    diag.warn(`otel-activity: could not write ${PID_FILE} in ${dataDir}: ${(error as Error).message}`);
  }
}

function removeOwnPidFile(dataDir: string): void {
  if (readOwnerPid(dataDir) !== process.pid) return;
  fs.rmSync(path.join(dataDir, PID_FILE), { force: true });
}

