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

let storedSpanIdsSql: string | undefined;
function sql(): string {
  storedSpanIdsSql ??= fs.readFileSync(path.join(schemasDir(), 'pipeline', 'stored-span-ids.sql'), 'utf8');
  return storedSpanIdsSql;
}

export class RestartDedup {
  private until = 0;
  private warned = false;

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
