/**
 * Rows may come again that are already stored: after a crash, from a sender retrying the request whose answer the
 * crash swallowed and from the spool replaying a batch inserted just before it; and after a request answered 503
 * because only part of it could be kept, from its sender retrying all of it. For a window after either event, rows
 * whose span_id the table already holds (within the batch's time range) are skipped. Outside it, no lookup is made.
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

let storedSpanIdsSql: string | undefined;
function sql(): string {
  storedSpanIdsSql ??= fs.readFileSync(path.join(schemasDir(), 'pipeline', 'stored-span-ids.sql'), 'utf8');
  return storedSpanIdsSql;
}

export class RestartDedup {
  private until = 0;
  private warned = false;
  /** The engine cannot run the lookup: no check for the rest of the process. */
  private unsupported = false;

  constructor(
    private readonly engine: QueryEngine,
    /** How long to check after an event; senders give up retrying after a few minutes (the collector after 5). */
    private readonly windowMs: number,
    private readonly stats: PipelineStats,
    /** Check from the start (the previous process did not stop cleanly). */
    afterCrash: boolean,
  ) {
    if (afterCrash) this.arm();
  }

  /** Checks for the next windowMs: something may be sent again. */
  arm(): void {
    if (this.unsupported) return;
    this.until = Math.max(this.until, Date.now() + this.windowMs);
  }

  /** The rows not stored yet. On a failed lookup all rows (a duplicate is better than a loss). */
  async unstored(table: string, rows: ReadonlyArray<object>): Promise<ReadonlyArray<object>> {
    if (Date.now() > this.until || rows.length === 0) return rows;
    const keyed = rows as ReadonlyArray<KeyedRow>;
    const ids: string[] = [];
    let from = '';
    let to = '';
    for (const row of keyed) {
      if (typeof row.span_id !== 'string' || typeof row.timestamp !== 'string') return rows;
      ids.push(row.span_id);
      if (from === '' || row.timestamp < from) from = row.timestamp;
      if (row.timestamp > to) to = row.timestamp;
    }
    let stored: Set<string>;
    try {
      const found = await this.engine.query<{ span_id: string }>(sql(), { table, from, to, ids });
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
}
