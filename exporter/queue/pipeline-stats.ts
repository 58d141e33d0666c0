/**
 * Self-metrics of the export pipeline: what was accepted, inserted, retried, spooled and dropped (per table, per reason).
 * One mutable counter object shared by BatchQueue, BatchWriter and Spool; getStats() hands out a copy.
 */
import { TABLE_NAMES, type TableName } from '../rows/table-registry';

/** Why rows were dropped: the in-memory cap, the spool cap, an unwritable spool, a server that rejected the data, or no spool configured while the sink was down. */
export type DropReason = 'queue_full' | 'spool_full' | 'spool_error' | 'rejected' | 'sink_down';
export const DROP_REASONS: readonly DropReason[] = ['queue_full', 'spool_full', 'spool_error', 'rejected', 'sink_down'];

export type PerTable<T> = Record<TableName, T>;

export interface PipelineStats {
  /** Rows inserted into the sink (first try, retry or spool replay). */
  inserted: PerTable<number>;
  dropped: PerTable<Record<DropReason, number>>;
  /** Insert attempts after the first one, over all batches. */
  retries: number;
  /** Rows skipped after a restart because the table already held their span_id (re-sent or re-replayed). */
  deduplicatedRows: number;
  /** Batches written to the spool, and batches replayed from it, since start. */
  spooledBatches: number;
  replayedBatches: number;
  /** What the spool holds now. */
  spoolPendingBatches: number;
  spoolPendingBytes: number;
  /** Acknowledged requests whose rows are only in the journal now (service.ackAfter 'journal'): not inserted or spooled yet. */
  journalPendingFiles: number;
  /** Rows and approximate bytes held in memory now (buffered plus in flight). */
  queueRows: number;
  queueBytes: number;
  lastInsertError: string | undefined;
  lastInsertErrorAt: string | undefined;
}

function perTable<T>(make: () => T): PerTable<T> {
  return Object.fromEntries(TABLE_NAMES.map((t) => [t, make()])) as PerTable<T>;
}

export function newPipelineStats(): PipelineStats {
  return {
    inserted: perTable(() => 0),
    dropped: perTable(() => Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>),
    retries: 0,
    deduplicatedRows: 0,
    spooledBatches: 0,
    replayedBatches: 0,
    spoolPendingBatches: 0,
    spoolPendingBytes: 0,
    journalPendingFiles: 0,
    queueRows: 0,
    queueBytes: 0,
    lastInsertError: undefined,
    lastInsertErrorAt: undefined,
  };
}

export function countDrop(stats: PipelineStats, table: string, reason: DropReason, rows: number): void {
  const byReason = (stats.dropped as Record<string, Record<DropReason, number>>)[table];
  if (byReason) byReason[reason] += rows;
}

export function countInserted(stats: PipelineStats, table: string, rows: number): void {
  const inserted = stats.inserted as Record<string, number>;
  if (table in inserted) inserted[table] += rows;
}

export function copyPipelineStats(stats: PipelineStats): PipelineStats {
  return {
    ...stats,
    inserted: { ...stats.inserted },
    dropped: Object.fromEntries(
      TABLE_NAMES.map((t) => [t, { ...stats.dropped[t] }]),
    ) as PerTable<Record<DropReason, number>>,
  };
}
