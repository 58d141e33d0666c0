/**
 * The OTel SpanExporter that writes activity spans as rows into ClickHouse (embedded chDB or a server), and the
 * entry point the OTLP ingest service uses for spans it decoded itself. Batching, retries, spool: see queue/.
 */
import * as path from 'node:path';
import { context, diag } from '@opentelemetry/api';
import { ExportResultCode, globalErrorHandler, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExporterConfig } from 'otel-activity/contract';
import { migrate } from '../schemas/migrate';
import { repairSchema } from '../schemas/repair-schema';
import type { ActivitySpan } from 'otel-activity/contract';
import { createSink } from './create-sink';
import { readableSpanToActivitySpan } from './normalize/from-readable-span';
import { BatchQueue, type QueuedRow } from './queue/batch-queue';
import { BatchWriter } from './queue/batch-writer';
import { copyPipelineStats, newPipelineStats, type PipelineStats } from './queue/pipeline-stats';
import { RecentSpanIds } from './queue/recent-span-ids';
import { RestartDedup } from './queue/restart-dedup';
import { RunMarker } from './queue/run-marker';
import { Spool, spoolDirOf } from './queue/spool';
import { spanToRow, type MappingOptions } from './rows/span-to-row';
import type { Sink } from './sinks/sink';
import { untracedEngine } from './sinks/untraced';

export interface ClickHouseSpanExporterOptions {
  readonly config: ExporterConfig;
  /** Defaults to createSink(config); a sink passed in is closed by shutdown() too. */
  readonly sink?: Sink;
  /** Apply schema migrations before the first insert (default true). */
  readonly migrate?: boolean;
  readonly mapping?: MappingOptions;
  /** Spill to config.spoolDir when the sink stays down (default true). */
  readonly spool?: boolean;
  /** How often a down sink is probed while the spool holds batches (default 5000 ms). */
  readonly probeIntervalMs?: number;
  /** Give up retrying one batch (and spool it) after this long (default 30000 ms). */
  readonly retryDeadlineMs?: number;
  /** Group-commit window for acceptActivitySpansDurably (default 100 ms). */
  readonly durableFlushMs?: number;
  /**
   * For this long after start, rows whose span_id is already stored are skipped: a crash between an insert and its
   * acknowledgement makes senders (and the spool) send them again. Default 300000 ms (the collector's retry limit); 0 disables.
   * Applies after an unclean stop (the spool directory's run marker was left behind; see run-marker.ts), and after a
   * durable accept that could not keep every row (its sender retries the whole request).
   */
  readonly restartDedupWindowMs?: number;
  /**
   * The service: a sender whose request timed out before a restart sends it to the next process. A clean stop saves
   * the recent span ids in the spool directory for the next start; when they cannot be read there, the engine lookup
   * runs for restartDedupWindowMs after the start, clean stops too. Default false.
   */
  readonly checkStoredAfterStart?: boolean;
  /**
   * acceptActivitySpansDurably remembers this many recent span ids (default 1,000,000; 0 disables): a span id sent
   * again while it is in flight or after it was stored, or twice in one request, is stored once.
   */
  readonly recentSpanIds?: number;
}

export interface ExporterStats extends PipelineStats {
  /** Rows accepted into the queue (SDK spans and service spans). */
  accepted: number;
  /** Spans that are not activity spans (internal, DB …): skipped by design. */
  ignored: number;
  /** Spans that could not be converted (a mapper threw). */
  rejected: number;
  /** Service calls answered 'full' (backpressure) instead of dropping. */
  refused: number;
}

export interface AcceptResult {
  readonly accepted: number;
  readonly rejected: number;
  readonly ignored: number;
}

export interface DurableAcceptResult extends AcceptResult {
  /** Every accepted row is in ClickHouse or fsync'd in the spool; false if some were dropped (spool full, rows refused). */
  readonly durable: boolean;
}

const DEFAULT_PROBE_INTERVAL_MS = 5_000;
const DEFAULT_RETRY_DEADLINE_MS = 30_000;
const DEFAULT_RESTART_DEDUP_WINDOW_MS = 300_000;
const DEFAULT_RECENT_SPAN_IDS = 1_000_000;
/** In the spool directory, beside the run marker; the spool reads only *.ndjson. */
const RECENT_IDS_FILE = '.recent-span-ids';

export class ClickHouseSpanExporter implements SpanExporter {
  readonly sink: Sink;
  private readonly options: ClickHouseSpanExporterOptions;
  private readonly stats = newPipelineStats();
  private readonly counters = { accepted: 0, ignored: 0, rejected: 0, refused: 0 };
  private readonly queue: BatchQueue;
  private readonly started: Promise<void>;
  private shutdownPromise: Promise<void> | undefined;
  private readonly runMarker: RunMarker | undefined;
  private readonly restartDedup: RestartDedup | undefined;
  private readonly recent: RecentSpanIds | undefined;
  private readonly recentIdsFile: string | undefined;
  private readonly probeIntervalMs: number;
  /** Migrations: done, running, or failed at `migrationFailedAt` (a sink down at start); retried at most once per probe interval. */
  private migrated = false;
  private migrating: Promise<boolean> | undefined;
  private migrationFailedAt = 0;
  private lastMigrationError = '';
  /** Tables or views still missing after the start-up repair; '' when the schema is whole. */
  private missingObjects = '';

  constructor(options: ClickHouseSpanExporterOptions) {
    this.options = options;
    this.probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
    const { config } = options;
    this.sink = options.sink ?? createSink(config);
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
    const writer = new BatchWriter(
      {
        sink: this.sink,
        spool,
        ready: () => this.ensureMigrated(),
        restartDedup: this.restartDedup,
        probeIntervalMs: this.probeIntervalMs,
        retry: {
          maxAttempts: config.maxRetries + 1,
          initialDelayMs: config.retryInitialMs,
          maxDelayMs: config.retryMaxMs,
          deadlineMs: options.retryDeadlineMs ?? DEFAULT_RETRY_DEADLINE_MS,
        },
      },
      this.stats,
    );
    this.queue = new BatchQueue({ ...config, durableFlushMs: options.durableFlushMs }, writer, this.stats);
    this.started = this.ensureMigrated().then(() => writer.start());
  }

  /** Resolves once migrations ran and the spool was scanned (inserts wait for this on their own). */
  ready(): Promise<void> {
    return this.started;
  }

  /** SpanExporter: converts, enqueues, answers at once. Never throws; calls back exactly once. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let result: ExportResult;
    try {
      if (this.queue.isShutdown) {
        result = { code: ExportResultCode.FAILED, error: new Error('ClickHouseSpanExporter is shut down') };
      } else {
        const rows = this.toRows(spans, (span) => readableSpanToActivitySpan(span));
        this.counters.accepted += this.queue.enqueue(rows);
        result = { code: ExportResultCode.SUCCESS };
      }
    } catch (error) {
      globalErrorHandler(error as Error);
      result = { code: ExportResultCode.FAILED, error: error as Error };
    }
    resultCallback(result);
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
    const durable = await offered;
    // Part of these rows may be stored; the sender, told to retry, sends them all again.
    if (!durable) this.restartDedup?.arm();
    return { ...counts, durable };
  }

  /**
   * The spans whose id is neither stored lately, nor in flight in another request, nor earlier in this one. Waits for
   * the requests that hold ids in flight; undefined when one of them was not made durable.
   */
  private async notYetTaken(spans: ReadonlyArray<ActivitySpan>): Promise<ReadonlyArray<ActivitySpan> | undefined> {
    const recent = this.recent;
    if (!recent) return spans;
    for (;;) {
      const seen = new Set<string>();
      const fresh: ActivitySpan[] = [];
      const waits = new Set<Promise<boolean>>();
      let skipped = 0;
      for (const span of spans) {
        const id = span.spanId;
        if (seen.has(id) || recent.isStored(id)) {
          skipped++;
          continue;
        }
        seen.add(id);
        const pending = recent.pending(id);
        if (pending) waits.add(pending);
        else fresh.push(span);
      }
      if (waits.size === 0) {
        this.stats.deduplicatedRows += skipped;
        return fresh;
      }
      // Then look again: ids of a durable request are stored now, another request may have taken the rest meanwhile.
      if ((await Promise.all(waits)).includes(false)) return undefined;
    }
  }

  /** True when `rows` more rows fit in the queue now. */
  hasCapacity(rows: number): boolean {
    return !this.queue.isShutdown && this.queue.hasCapacity(rows);
  }

  /** Writes everything queued (to ClickHouse, or to the spool if it is down). */
  async forceFlush(): Promise<void> {
    await this.queue.forceFlush();
  }

  /** Drains the queue, tries the spool once more, closes the sink. Idempotent. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= context.with(suppressTracing(context.active()), async () => {
      await this.started.catch(() => undefined);
      await this.queue.shutdown();
      // Before the marker goes: a crash between the two is an unclean stop, and the next start looks ids up anyway.
      if (this.recent && this.recentIdsFile && this.options.checkStoredAfterStart === true) this.recent.save(this.recentIdsFile);
      this.runMarker?.end();
      await this.sink.close().catch((error: Error) => diag.warn(`otel-activity: closing the ${this.sink.kind} sink failed: ${error.message}`));
    });
    return this.shutdownPromise;
  }

  /** Why rows cannot be stored whatever the engine does (tables missing after the start-up repair), or undefined. */
  schemaProblem(): string | undefined {
    return this.missingObjects ? `tables missing after re-running the migrations: ${this.missingObjects}` : undefined;
  }

  getStats(): ExporterStats {
    return { ...copyPipelineStats(this.stats), ...this.counters };
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

  /** Never throws: true once the schema is in place; false after a failure (logged, counted, retried by later calls). */
  private ensureMigrated(): Promise<boolean> {
    if (this.options.migrate === false || this.migrated) return Promise.resolve(true);
    if (this.migrating) return this.migrating;
    if (this.migrationFailedAt && Date.now() - this.migrationFailedAt < this.probeIntervalMs) return Promise.resolve(false);
    this.migrating = this.runMigrations().finally(() => {
      this.migrating = undefined;
    });
    return this.migrating;
  }

  private async runMigrations(): Promise<boolean> {
    const { config } = this.options;
    try {
      const retention = { retentionDays: config.retentionDays, rollupRetentionDays: config.rollupRetentionDays };
      await context.with(suppressTracing(context.active()), async () => {
        await migrate(this.sink, retention);
        // schema_migrations says what was applied, not what is there: a dropped table is re-created here.
        const repair = await repairSchema(this.sink, retention);
        this.missingObjects = repair.stillMissing.join(', ');
      });
      this.migrated = true;
      return true;
    } catch (error) {
      this.migrationFailedAt = Date.now();
      const message = `migrations failed: ${(error as Error).message}`;
      // Retried once per probe interval while the sink is down: log a failure once, not every attempt.
      const repeated = message === this.lastMigrationError;
      this.lastMigrationError = message;
      this.stats.lastInsertError = message;
      this.stats.lastInsertErrorAt = new Date().toISOString();
      if (!repeated) diag.error(`otel-activity: schema migrations failed on the ${this.sink.kind} sink: ${(error as Error).message}`);
      return false;
    }
  }
}

