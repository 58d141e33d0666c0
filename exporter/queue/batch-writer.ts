/**
 * Delivers one batch: insert with retry; when the sink stays down, spill to the spool; replay the spool in order,
 * probing the sink on a timer, once it is back. While the spool holds batches new ones queue behind them on disk,
 * so replay order is write order.
 */
import { diag } from '@opentelemetry/api';
import type { InsertResult, RowWriter } from '../sinks/row-writer';
import { untracedRowWriter } from '../sinks/untraced';
import { countDrop, countInserted, type PipelineStats } from './pipeline-stats';
import type { RestartDedup } from './restart-dedup';
import { insertWithRetry, type RetryPolicy } from './retry';
import type { Spool, SpooledBatch } from './spool';

export interface Batch extends SpooledBatch {
  /** Approximate bytes, released from the queue gauge once the batch is delivered, spooled or dropped. */
  readonly bytes: number;
}

/** What became of a batch: in ClickHouse, on disk in the spool (both durable), or dropped and counted. */
export type WriteOutcome = 'inserted' | 'spooled' | 'dropped';

export interface BatchWriterOptions {
  readonly sink: RowWriter;
  readonly retry: RetryPolicy;
  /** Without a spool, a batch that exhausts its retries is dropped (reason 'sink_down'). */
  readonly spool?: Spool;
  /** How often to probe the sink while the spool holds batches. */
  readonly probeIntervalMs: number;
  /**
   * Awaited before every insert and replay pass, e.g. "migrations applied" (it may redo them if the sink was down
   * at start). Must not throw.
   */
  /**
   * Resolves true once the tables exist. False (migrations failed: the engine was down at start) means an insert
   * would fail with UNKNOWN_TABLE, which is final for a batch: so batches wait in the spool instead.
   */
  readonly ready?: () => Promise<boolean>;
  /** Skips rows already stored, for a while after start (see RestartDedup). */
  readonly restartDedup?: RestartDedup;
}

/** Auth failures are configuration errors: keep the rows (spool) until someone fixes the password, but do not retry in a loop. */
export function isAuthFailure(error: Error): boolean {
  return error.name === 'ClickHouseAuthError';
}

export class BatchWriter {
  private readonly options: BatchWriterOptions;
  private readonly stats: PipelineStats;
  private readonly sink: RowWriter;
  private sinkDown = false;
  private stopping = false;
  private replaying: Promise<void> | undefined;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(options: BatchWriterOptions, stats: PipelineStats) {
    this.options = options;
    this.stats = stats;
    this.sink = untracedRowWriter(options.sink);
  }

  /** Starts replaying batches a previous process left in the spool. */
  async start(): Promise<void> {
    const { spool } = this.options;
    if (spool && (await spool.open()) && spool.pendingBatches > 0) {
      this.sinkDown = true;
      this.scheduleProbe(0);
    }
  }

  /** Delivers, spools or drops the batch; never throws. 'inserted' and 'spooled' are durable, 'dropped' (counted) is not. */
  async write(batch: Batch): Promise<WriteOutcome> {
    const ready = (await this.options.ready?.()) ?? true;
    const { spool } = this.options;
    if (spool && !ready) this.sinkDown = true;
    if (spool && (this.sinkDown || spool.pendingBatches > 0)) return this.spill(batch);
    const rows = (await this.options.restartDedup?.unstored(batch.table, batch.rows, 'queue')) ?? batch.rows;
    if (rows.length === 0) return 'inserted';
    const { result, attempts } = await insertWithRetry(this.sink, batch.table, rows, batch.dedupToken, this.options.retry, {
      onRetry: () => this.stats.retries++,
      shouldStop: () => this.stopping,
    });
    if (result.ok) {
      countInserted(this.stats, batch.table, rows.length);
      return 'inserted';
    }
    this.noteError(result);
    if (!result.retryable && !isAuthFailure(result.error)) {
      countDrop(this.stats, batch.table, 'rejected', batch.rows.length);
      diag.error(`otel-activity: ClickHouse rejected a batch of ${batch.rows.length} ${batch.table} rows: ${result.error.message}`);
      return 'dropped';
    }
    if (!spool) {
      countDrop(this.stats, batch.table, 'sink_down', batch.rows.length);
      diag.error(`otel-activity: ${batch.rows.length} ${batch.table} rows dropped after ${attempts} attempts (no spool): ${result.error.message}`);
      return 'dropped';
    }
    this.markDown(result.error);
    return this.spill(batch);
  }

  /** One replay pass: oldest first, stopping at the first batch the sink does not take. */
  replay(): Promise<void> {
    this.replaying ??= this.replayPass().finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  /** Stops retry waits (batches in flight go to the spool after their current attempt) and the probe timer. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearProbe();
    if (this.replaying) await this.replaying;
  }

  /** Final replay pass on shutdown: what the sink takes now is not left on disk. */
  async drainSpool(): Promise<void> {
    if (this.options.spool && this.options.spool.pendingBatches > 0) await this.replay();
  }

  private async spill(batch: Batch): Promise<WriteOutcome> {
    const spool = this.options.spool!;
    const written = await spool.write(batch);
    this.scheduleProbe(this.options.probeIntervalMs);
    return written ? 'spooled' : 'dropped';
  }

  private async replayPass(): Promise<void> {
    const { spool } = this.options;
    const { sink } = this;
    if (!spool) return;
    if (!((await this.options.ready?.()) ?? true)) {
      this.scheduleProbe(this.options.probeIntervalMs);
      return;
    }
    for (;;) {
      const next = await spool.oldest();
      if (!next) {
        if (this.sinkDown) diag.info(`otel-activity: the ${sink.kind} sink is back; the spool is empty (${this.stats.replayedBatches} batches replayed since start)`);
        this.sinkDown = false;
        return;
      }
      const rows = (await this.options.restartDedup?.unstored(next.batch.table, next.batch.rows, 'spool')) ?? next.batch.rows;
      let result: InsertResult;
      try {
        result = rows.length === 0 ? { ok: true } : await sink.insert(next.batch.table, rows, { dedupToken: next.batch.dedupToken });
      } catch (error) {
        result = { ok: false, retryable: true, error: error as Error };
      }
      if (result.ok) {
        countInserted(this.stats, next.batch.table, rows.length);
        this.stats.replayedBatches++;
        await spool.remove(next.name);
        continue;
      }
      this.noteError(result);
      if (!result.retryable && !isAuthFailure(result.error)) {
        countDrop(this.stats, next.batch.table, 'rejected', next.batch.rows.length);
        diag.error(`otel-activity: ClickHouse rejected spooled batch ${next.name} (${result.error.message}); moved to the spool's rejected/ folder`);
        await spool.reject(next.name);
        continue;
      }
      this.markDown(result.error);
      this.scheduleProbe(this.options.probeIntervalMs);
      return;
    }
  }

  private scheduleProbe(delayMs: number): void {
    if (this.probeTimer || this.stopping) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      void this.replay();
    }, delayMs);
    this.probeTimer.unref();
  }

  private clearProbe(): void {
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  /** Logged once per outage, not per batch: what failed, and that rows are safe on disk meanwhile. */
  private markDown(error: Error): void {
    if (this.sinkDown) return;
    this.sinkDown = true;
    const where = this.options.spool ? `spooling batches to ${this.options.spool.dir} and probing every ${this.options.probeIntervalMs} ms` : 'no spool';
    if (isAuthFailure(error)) diag.error(`otel-activity: ${error.message} Rows are kept (${where}).`);
    else diag.warn(`otel-activity: the ${this.options.sink.kind} sink is unavailable (${error.message}); ${where}`);
  }

  private noteError(result: InsertResult): void {
    if (result.ok) return;
    this.stats.lastInsertError = result.error.message;
    this.stats.lastInsertErrorAt = new Date().toISOString();
  }
}
