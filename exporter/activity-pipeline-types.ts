/**
 * The public shapes of the activity pipeline: its options, what an accept call answers, and its self-metrics.
 */
import type { ExporterConfig } from './config';
import type { PipelineStats } from './queue/pipeline-stats';
import type { MappingOptions } from './rows/span-to-row';
import type { RowWriter } from './sinks/row-writer';
import type { Sink } from './sinks/sink';

export interface ActivityPipelineOptions {
  readonly config: ExporterConfig;
  /** Defaults to createSink(config); a sink passed in is closed by shutdown() too. */
  readonly sink?: Sink;
  /**
   * Where rows go instead of the sink's tables (a Kafka producer the engine consumes from); the sink still runs the
   * migrations and the restart dedup lookups. Closed by shutdown() too. Defaults to the sink.
   */
  readonly rowWriter?: RowWriter;
  /** Apply schema migrations before the first insert (default: config.migrate). */
  readonly migrate?: boolean;
  readonly mapping?: MappingOptions;
  /** Spill to config.spoolDir when the sink stays down (default true). */
  readonly spool?: boolean;
  /** How often a down sink is probed while the spool holds batches (default 5000 ms). */
  readonly probeIntervalMs?: number;
  /** Give up retrying one batch (and spool it) after this long (default 30000 ms). */
  readonly retryDeadlineMs?: number;
  /** Group-commit window for acceptActivitySpansDurably (default config.durableFlushMs). */
  readonly durableFlushMs?: number;
  /**
   * acceptActivitySpansDurably resolves once the rows are fsync'd to a journal in the spool directory instead of once
   * they are inserted (the service's ackAfter 'journal'); rows are cut into batches as they are otherwise. Needs the
   * spool. Default false.
   */
  readonly journal?: boolean;
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
