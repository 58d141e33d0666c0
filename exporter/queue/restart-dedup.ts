/**
 * Rows may come again that are already stored: after a crash, from a sender retrying the request whose answer the
 * crash swallowed and from the spool replaying a batch inserted just before it; and after a request answered 503
 * because only part of it could be kept, from its sender retrying all of it. For a window after either event, rows
 * whose span_id the table already holds (within the batch's time range) are skipped. Outside it, no lookup is made.
 * After a restart, rows from the queue are looked up only when they are at or before the newest row stored then or
 * replayed from the spool since (which holds what the earlier process acknowledged): anything newer cannot be a copy
 * of those. Rows another service writes to the same tables meanwhile are not checked; they never were outside a window.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diag } from '@opentelemetry/api';
import { schemasDir } from '../../schemas/migration-files';
import type { QueryEngine } from '../sinks/query-engine';
import type { PipelineStats } from './pipeline-stats';

interface KeyedRow {
  readonly span_id?: unknown;
  readonly timestamp?: unknown;
}

/**
 * Server codes meaning the engine cannot run the lookup at all, however often it is asked: UNKNOWN_TYPE 50 and
 * UNKNOWN_SETTING 115 (a server without query parameters, such as 18.16, takes `param_table` for a setting),
 * SYNTAX_ERROR 62.
 */
const CANNOT_RUN_LOOKUP: ReadonlySet<number> = new Set([50, 62, 115]);

const statements = new Map<string, string>();
function sql(name: 'stored-span-ids' | 'newest-stored'): string {
  let text = statements.get(name);
  if (text === undefined) statements.set(name, (text = fs.readFileSync(path.join(schemasDir(), 'pipeline', `${name}.sql`), 'utf8')));
  return text;
}

export class RestartDedup {
  private until = 0;
  private warned = false;
  /** The engine cannot run the lookup: no check for the rest of the process. */
  private unsupported = false;
  /** Per table, the newest timestamp stored before this process first inserted into it (armed by a restart). */
  private readonly newestBefore = new Map<string, Promise<string | undefined>>();
  private restartOnly = false;

  constructor(
    private readonly engine: QueryEngine,
    /** How long to check after an event; senders give up retrying after a few minutes (the collector after 5). */
    private readonly windowMs: number,
    private readonly stats: PipelineStats,
    /** Check from the start (the previous process did not stop cleanly). */
    afterCrash: boolean,
  ) {
    if (afterCrash) this.armForRestart();
  }

  /**
   * Checks for the next windowMs rows stored before this process started (resent, or replayed from its journal).
   * Called before the process inserts anything; arm() afterwards widens the check to every row.
   */
  armForRestart(): void {
    if (this.unsupported) return;
    if (this.until === 0) this.restartOnly = true;
    this.until = Math.max(this.until, Date.now() + this.windowMs);
  }

  /** Checks for the next windowMs every row: rows this process stored may be sent again. */
  arm(): void {
    if (this.unsupported) return;
    this.restartOnly = false;
    this.until = Math.max(this.until, Date.now() + this.windowMs);
  }

  /**
   * The rows not stored yet. On a failed lookup all rows (a duplicate is better than a loss). A batch from the spool
   * is looked up whole, and its rows count as stored before the restart for the queue's batches after it.
   */
  async unstored(table: string, rows: ReadonlyArray<object>, source: 'queue' | 'spool'): Promise<ReadonlyArray<object>> {
    if (Date.now() > this.until || rows.length === 0) return rows;
    const keyed = rows as ReadonlyArray<KeyedRow>;
    const ids: string[] = [];
    let from = '';
    let to = '';
    if (this.restartOnly && source === 'spool') this.raiseNewest(table, keyed);
    const newest = this.restartOnly && source === 'queue' ? await this.newestStoredBefore(table) : undefined;
    for (const row of keyed) {
      if (typeof row.span_id !== 'string' || typeof row.timestamp !== 'string') return rows;
      // The same 'YYYY-MM-DD hh:mm:ss.sss' UTC text on both sides: text order is time order.
      if (newest !== undefined && row.timestamp > newest) continue;
      ids.push(row.span_id);
      if (from === '' || row.timestamp < from) from = row.timestamp;
      if (row.timestamp > to) to = row.timestamp;
    }
    if (ids.length === 0) return rows;
    let stored: Set<string>;
    try {
      const found = await this.engine.query<{ span_id: string }>(sql('stored-span-ids'), { table, from, to, ids });
      stored = new Set(found.map((r) => r.span_id));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'number' && CANNOT_RUN_LOOKUP.has(code)) {
        // Lookups for other tables were in flight at once and fail alike: one line says it.
        if (this.unsupported) return rows;
        this.unsupported = true;
        this.until = 0;
        diag.warn(
          `otel-activity: the ${this.engine.kind} engine cannot look up stored span ids (${(error as Error).message.trim()}); ` +
            'this process skips the check after a restart, so a row resent then is stored again unless the table deduplicates it (ReplacingMergeTree on span_id)',
        );
        return rows;
      }
      if (!this.warned) diag.warn(`otel-activity: cannot check ${table} for rows stored before the restart (${(error as Error).message}); inserting without the check`);
      this.warned = true;
      return rows;
    }
    if (stored.size === 0) return rows;
    const fresh = keyed.filter((row) => !stored.has(row.span_id as string));
    this.stats.deduplicatedRows += rows.length - fresh.length;
    return fresh;
  }

  private raiseNewest(table: string, rows: ReadonlyArray<KeyedRow>): void {
    let latest = '';
    for (const row of rows) if (typeof row.timestamp === 'string' && row.timestamp > latest) latest = row.timestamp;
    const before = this.newestStoredBefore(table);
    this.newestBefore.set(
      table,
      before.then((newest) => (newest === undefined ? undefined : newest > latest ? newest : latest)),
    );
  }

  /** Read once per table, before this process's first insert into it (every insert asks here first while armed). */
  private newestStoredBefore(table: string): Promise<string | undefined> {
    let newest = this.newestBefore.get(table);
    if (newest === undefined) {
      newest = this.engine.query<{ newest: string }>(sql('newest-stored'), { table }).then(
        (rows) => {
          const value = rows[0]?.newest;
          // Only the DateTime64(3) text compares with row timestamps; anything else means every row is looked up.
          return typeof value === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/.test(value) ? value : undefined;
        },
        () => undefined,
      );
      this.newestBefore.set(table, newest);
    }
    return newest;
  }
}
