/**
 * From activity spans to stored rows: map, queue, insert with retries, spool while the engine is down, and keep a
 * resent span from being stored twice (run marker, restart dedup, recent span ids). The OTLP service and the
 * in-process sender feed it directly; ClickHouseSpanExporter adapts it to OTel's SpanExporter.
 */
import * as path from 'node:path';
import { context, diag } from '@opentelemetry/api';
import { globalErrorHandler, suppressTracing } from '@opentelemetry/core';
import type { ActivitySpan } from 'otel-activity/contract';
import type { AcceptResult, ActivityPipelineOptions, DurableAcceptResult, ExporterStats } from './activity-pipeline-types';
import { createSink } from './create-sink';
import { BatchQueue, type QueuedRow } from './queue/batch-queue';
import { BatchWriter } from './queue/batch-writer';
import { copyPipelineStats, newPipelineStats } from './queue/pipeline-stats';
import { RecentSpanIds } from './queue/recent-span-ids';
import { RequestJournal } from './queue/request-journal';
import { RestartDedup } from './queue/restart-dedup';
import { RunMarker } from './queue/run-marker';
import { SchemaGate } from './queue/schema-gate';
import { Spool, spoolDirOf } from './queue/spool';
import { spanToRow } from './rows/span-to-row';
import type { RowWriter } from './sinks/row-writer';
import type { Sink } from './sinks/sink';
import { untracedEngine } from './sinks/untraced';

const DEFAULT_PROBE_INTERVAL_MS = 5_000;
const DEFAULT_RETRY_DEADLINE_MS = 30_000;
const DEFAULT_RESTART_DEDUP_WINDOW_MS = 300_000;
const DEFAULT_RECENT_SPAN_IDS = 1_000_000;
/** In the spool directory, beside the run marker; the spool reads only *.ndjson. */
const RECENT_IDS_FILE = '.recent-span-ids';

export class ActivityPipeline {
  readonly sink: Sink;
  /** The sink, or the rowWriter option. */
  private readonly rowWriter: RowWriter;
  private readonly options: ActivityPipelineOptions;
  private readonly stats = newPipelineStats();
  private readonly counters = { accepted: 0, ignored: 0, rejected: 0, refused: 0 };
  private readonly queue: BatchQueue;
  private readonly schema: SchemaGate;
  private readonly started: Promise<void>;
  private shutdownPromise: Promise<void> | undefined;
  private readonly runMarker: RunMarker | undefined;
  private readonly restartDedup: RestartDedup | undefined;
  private readonly recent: RecentSpanIds | undefined;
  private readonly recentIdsFile: string | undefined;
  private readonly journal: RequestJournal | undefined;

  constructor(options: ActivityPipelineOptions) {
    this.options = options;
    const probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    const { config } = options;
    this.sink = options.sink ?? createSink(config);
    this.rowWriter = options.rowWriter ?? this.sink;
    const spool =
      options.spool === false
        ? undefined
        : new Spool({ dir: spoolDirOf(config), maxBytes: config.spoolMaxBytes, rejectedTtlDays: config.retentionDays }, this.stats);
    // Without a spool there is no marker: check after every start, as a crash cannot be told from a clean stop.
    this.runMarker = spool === undefined ? undefined : new RunMarker(spool.dir);
    const uncleanRestart = this.runMarker?.begin() ?? true;
    const dedupWindowMs = options.restartDedupWindowMs ?? DEFAULT_RESTART_DEDUP_WINDOW_MS;
    const recentIds = options.recentSpanIds ?? DEFAULT_RECENT_SPAN_IDS;
    this.recent = recentIds > 0 ? new RecentSpanIds(recentIds) : undefined;
    this.recentIdsFile = spool === undefined ? undefined : path.join(spool.dir, RECENT_IDS_FILE);
    // After a clean stop the ids it saved cover resends to this process; without them (first start, a crash, a save
    // that failed) the engine is asked, which costs a lookup per batch for the window (bench/RESULTS.md).
    const recentLoaded = !uncleanRestart && options.checkStoredAfterStart === true && this.recentIdsFile !== undefined && this.recent !== undefined && this.recent.load(this.recentIdsFile);
    const checkFromStart = uncleanRestart || (options.checkStoredAfterStart === true && !recentLoaded);
    this.restartDedup = dedupWindowMs > 0 ? new RestartDedup(untracedEngine(this.sink), dedupWindowMs, this.stats, checkFromStart) : undefined;
    this.schema = new SchemaGate(
      this.sink,
      { migrate: options.migrate ?? config.migrate, retention: { retentionDays: config.retentionDays, rollupRetentionDays: config.rollupRetentionDays }, probeIntervalMs },
      this.stats,
    );
    const writer = new BatchWriter(
      {
        sink: this.rowWriter,
        spool,
        ready: () => this.schema.ensure(),
        restartDedup: this.restartDedup,
        probeIntervalMs,
        retry: {
          maxAttempts: config.maxRetries + 1,
          initialDelayMs: config.retryInitialMs,
          maxDelayMs: config.retryMaxMs,
          deadlineMs: options.retryDeadlineMs ?? DEFAULT_RETRY_DEADLINE_MS,
        },
      },
      this.stats,
    );
    this.journal = options.journal === true && spool !== undefined ? new RequestJournal(spool.dir, this.stats) : undefined;
    this.queue = new BatchQueue({ ...config, durableFlushMs: options.durableFlushMs ?? config.durableFlushMs }, writer, this.stats);
    this.started = this.recoverJournal(spool).then(() => this.schema.ensure().then(() => writer.start()));
  }

  /** Resolves once migrations ran and the spool was scanned (inserts wait for this on their own). */
  ready(): Promise<void> {
    return this.started;
  }

  get isShutdown(): boolean {
    return this.queue.isShutdown;
  }

  /**
   * Queues spans of any shape, each converted by `normalize` (one that fails is counted as rejected), answering at
   * once: past the queue caps the least valuable rows are dropped and counted, never the caller blocked.
   */
  enqueueSpans<S>(spans: ReadonlyArray<S>, normalize: (span: S) => ActivitySpan): void {
    this.counters.accepted += this.queue.enqueue(this.toRows(spans, normalize));
  }

  /**
   * For the OTLP ingest service: all or nothing. 'full' means nothing was queued and the sender should retry later
   * (answer 429/503 with Retry-After); otherwise the counts of rows queued, spans that failed to map, and non-activity spans.
   */
  acceptActivitySpans(spans: ReadonlyArray<ActivitySpan>): AcceptResult | 'full' {
    if (this.queue.isShutdown) return 'full';
    const before = { ...this.counters };
    const rows = this.toRows(spans, (span) => span);
    if (this.queue.offer(rows) === 'full') {
      this.counters.ignored = before.ignored;
      this.counters.rejected = before.rejected;
      this.counters.refused++;
      return 'full';
    }
    this.counters.accepted += rows.length;
    return { accepted: rows.length, rejected: this.counters.rejected - before.rejected, ignored: this.counters.ignored - before.ignored };
  }

  /**
   * Like acceptActivitySpans, but resolves only once the accepted rows are durable: inserted into ClickHouse, or
   * written and fsync'd to the spool (replayed after a crash). Requests arriving together share one batch (group
   * commit, durableFlushMs). The OTLP service answers 200 after this, so a SIGKILL never loses an acknowledged span.
   */
  async acceptActivitySpansDurably(spans: ReadonlyArray<ActivitySpan>): Promise<DurableAcceptResult | 'full'> {
    if (this.queue.isShutdown) return 'full';
    const fresh = await this.notYetTaken(spans);
    // An earlier request holding some of these ids could not keep them all: this one is retried as a whole later.
    if (fresh === undefined) return { accepted: 0, rejected: 0, ignored: 0, durable: false };
    if (this.queue.isShutdown) return 'full';
    const before = { ...this.counters };
    const rows = this.toRows(fresh, (span) => span);
    const offered = this.queue.offerDurable(rows);
    if (offered === 'full') {
      this.counters.ignored = before.ignored;
      this.counters.rejected = before.rejected;
      this.counters.refused++;
      return 'full';
    }
    this.recent?.track(fresh.map((span) => span.spanId), offered);
    this.counters.accepted += rows.length;
    const counts = { accepted: rows.length, rejected: this.counters.rejected - before.rejected, ignored: this.counters.ignored - before.ignored };
    if (this.journal) return this.whenJournaled(this.journal, rows, offered, counts);
    // Returned, not awaited here: a suspended frame keeps every local (the spans, their rows) alive until the commit,
    // and the queue holds the rows it needs on its own.
    return this.whenDurable(offered, counts);
  }

  /** Durable once the journal holds the rows; its file goes once the commit does. A journal that fails waits for the commit. */
  private async whenJournaled(journal: RequestJournal, rows: QueuedRow[], offered: Promise<boolean>, counts: AcceptResult): Promise<DurableAcceptResult> {
    const name = await journal.write(rows);
    if (name === undefined) return this.whenDurable(offered, counts);
    void offered.then((durable) => journal.settled(name, durable));
    return { ...counts, durable: true };
  }

  /** Files an earlier process left in the journal go to the spool; rows in them may be stored already. */
  private async recoverJournal(spool: Spool | undefined): Promise<void> {
    if (!spool) return;
    const recovered = await (this.journal ?? new RequestJournal(spool.dir, this.stats)).recover(spool).catch((error: Error) => {
      diag.error(`otel-activity: recovering the journal failed: ${error.message}`);
      return 0;
    });
    if (recovered > 0) this.restartDedup?.armForRestart();
  }

  private async whenDurable(offered: Promise<boolean>, counts: AcceptResult): Promise<DurableAcceptResult> {
    const durable = await offered;
    // Part of these rows may be stored; the sender, told to retry, sends them all again.
    if (!durable) this.restartDedup?.arm();
    return { ...counts, durable };
  }

  /** Writes everything queued (to ClickHouse, or to the spool if it is down), then what the writer holds back. */
  async forceFlush(): Promise<void> {
    await this.queue.forceFlush();
    const flush = this.rowWriter.flush?.bind(this.rowWriter);
    if (flush) await context.with(suppressTracing(context.active()), flush);
  }

  /** Drains the queue, tries the spool once more, closes the row writer and the sink. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= context.with(suppressTracing(context.active()), async () => {
      await this.started.catch(() => undefined);
      await this.queue.shutdown();
      // Every commit is settled: their journal files go before the marker, so a clean stop leaves none to replay.
      await this.journal?.drain();
      // Before the marker goes: a crash between the two is an unclean stop, and the next start looks ids up anyway.
      if (this.recent && this.recentIdsFile && this.options.checkStoredAfterStart === true) this.recent.save(this.recentIdsFile);
      this.runMarker?.end();
      const closing = this.rowWriter === this.sink ? [this.sink] : [this.rowWriter, this.sink];
      for (const closable of closing) {
        await closable.close().catch((error: Error) => diag.warn(`otel-activity: closing the ${closable.kind} sink failed: ${error.message}`));
      }
    });
    return this.shutdownPromise;
  }

  /** Why rows cannot be stored whatever the engine does (tables missing after the start-up repair), or undefined. */
  schemaProblem(): string | undefined {
    return this.schema.problem();
  }

  getStats(): ExporterStats {
    return { ...copyPipelineStats(this.stats), ...this.counters };
  }

  /** The spans not stored lately nor held by another request (see RecentSpanIds.untaken); undefined: retry later. */
  private async notYetTaken(spans: ReadonlyArray<ActivitySpan>): Promise<ReadonlyArray<ActivitySpan> | undefined> {
    if (!this.recent) return spans;
    const untaken = await this.recent.untaken(spans);
    if (untaken) this.stats.deduplicatedRows += untaken.skipped;
    return untaken?.fresh;
  }

  private toRows<S>(spans: ReadonlyArray<S>, normalize: (span: S) => ActivitySpan): QueuedRow[] {
    const rows: QueuedRow[] = [];
    for (const span of spans) {
      try {
        const routed = spanToRow(normalize(span), this.options.mapping);
        if (routed) rows.push(routed);
        else this.counters.ignored++;
      } catch (error) {
        // One odd span must not sink its batch; it is counted and reported through the global handler.
        this.counters.rejected++;
        globalErrorHandler(error as Error);
      }
    }
    return rows;
  }
}
