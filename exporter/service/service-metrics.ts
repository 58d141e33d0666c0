/**
 * Self-metrics of the ingest service: its own request and span counters plus the export pipeline's stats, as JSON
 * (GET /metrics) and as Prometheus text (GET /metrics?format=prometheus, or Accept: text/plain).
 */
import type { ExporterStats } from '../activity-pipeline-types';
import { DROP_REASONS } from '../queue/pipeline-stats';
import { TABLE_NAMES } from '../rows/table-registry';

export interface ServiceCounters {
  /** Spans in requests that were decoded (before conversion). */
  spansReceived: number;
  /** Spans rejected by the OTLP conversion (bad ids, times, shapes); the mapper's rejections are in the exporter's stats. */
  spansRejected: number;
  /** Requests answered 429/503 because the queue was full, the service overloaded or stopping. */
  requestsRefused: number;
  /** Of those, requests refused before decoding because the event loop was late or memory high. */
  requestsShed: number;
  /** Answers by HTTP status, for /v1/traces. */
  responses: Record<string, number>;
}

export function newServiceCounters(): ServiceCounters {
  return { spansReceived: 0, spansRejected: 0, requestsRefused: 0, requestsShed: 0, responses: {} };
}

export interface ServiceMetrics {
  readonly uptimeSeconds: number;
  readonly sink: string;
  readonly spansReceived: number;
  /** Rows queued for insert. */
  readonly accepted: number;
  /** Spans that could not be converted or mapped (reported to the sender as partial success). */
  readonly rejected: number;
  /** Spans that are not activity spans (internal, DB …): skipped by design. */
  readonly ignored: number;
  readonly refusedRequests: number;
  /** Requests refused before decoding because the service was overloaded (event loop late, memory high). */
  readonly shedRequests: number;
  /** The largest event-loop delay since the previous /metrics read: how long one burst of work held the thread. */
  readonly eventLoopDelayMaxMs: number;
  readonly inserted: Record<string, number>;
  readonly dropped: Record<string, Record<string, number>>;
  readonly droppedTotal: number;
  readonly spooled: { readonly batches: number; readonly replayedBatches: number; readonly pendingBatches: number; readonly pendingBytes: number };
  /** Acknowledged requests only in the journal now (ackAfter 'journal'). */
  readonly journalPendingFiles: number;
  /** Rows skipped because their span id was stored already (a resent request, a replay after a crash). */
  readonly deduplicatedRows: number;
  readonly queue: { readonly rows: number; readonly bytes: number };
  readonly retries: number;
  readonly lastInsertError: string | null;
  readonly lastInsertErrorAt: string | null;
  readonly responses: Record<string, number>;
  /** Where the service's memory is: RSS (engine included), the JS heap, and buffers outside it. */
  readonly memory: { readonly rssBytes: number; readonly heapUsedBytes: number; readonly externalBytes: number };
}

export function serviceMetrics(counters: ServiceCounters, stats: ExporterStats, sinkKind: string, startedAt: number, eventLoopDelayMaxMs: number): ServiceMetrics {
  let droppedTotal = 0;
  for (const table of TABLE_NAMES) for (const reason of DROP_REASONS) droppedTotal += stats.dropped[table][reason];
  return {
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    sink: sinkKind,
    spansReceived: counters.spansReceived,
    accepted: stats.accepted,
    rejected: counters.spansRejected + stats.rejected,
    ignored: stats.ignored,
    refusedRequests: counters.requestsRefused,
    shedRequests: counters.requestsShed,
    eventLoopDelayMaxMs,
    inserted: { ...stats.inserted },
    dropped: Object.fromEntries(TABLE_NAMES.map((t) => [t, { ...stats.dropped[t] }])),
    droppedTotal,
    spooled: {
      batches: stats.spooledBatches,
      replayedBatches: stats.replayedBatches,
      pendingBatches: stats.spoolPendingBatches,
      pendingBytes: stats.spoolPendingBytes,
    },
    journalPendingFiles: stats.journalPendingFiles,
    deduplicatedRows: stats.deduplicatedRows,
    queue: { rows: stats.queueRows, bytes: stats.queueBytes },
    retries: stats.retries,
    lastInsertError: stats.lastInsertError ?? null,
    lastInsertErrorAt: stats.lastInsertErrorAt ?? null,
    responses: { ...counters.responses },
    memory: memoryNow(),
  };
}

export function memoryNow(): ServiceMetrics['memory'] {
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed, externalBytes: usage.external };
}

/** Prometheus text exposition format 0.0.4. */
export function prometheusText(metrics: ServiceMetrics): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[Record<string, string>, number]>) => {
    lines.push(`# HELP otel_activity_${name} ${help}`, `# TYPE otel_activity_${name} ${type}`);
    for (const [labels, value] of samples) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',');
      lines.push(`otel_activity_${name}${text ? `{${text}}` : ''} ${value}`);
    }
  };
  metric('spans_received_total', 'counter', 'Spans in decoded OTLP requests.', [[{}, metrics.spansReceived]]);
  metric('rows_accepted_total', 'counter', 'Rows queued for insert.', [[{}, metrics.accepted]]);
  metric('spans_rejected_total', 'counter', 'Spans that could not be converted or mapped.', [[{}, metrics.rejected]]);
  metric('spans_ignored_total', 'counter', 'Spans that are not activity spans.', [[{}, metrics.ignored]]);
  metric('requests_refused_total', 'counter', 'Requests answered 429/503 (queue full, overloaded or stopping).', [[{}, metrics.refusedRequests]]);
  metric('requests_shed_total', 'counter', 'Requests answered 429 before decoding: event loop late or memory high.', [[{}, metrics.shedRequests]]);
  metric('event_loop_delay_max_ms', 'gauge', 'Largest event-loop delay since the previous scrape.', [[{}, metrics.eventLoopDelayMaxMs]]);
  metric('rows_inserted_total', 'counter', 'Rows inserted, per table.', Object.entries(metrics.inserted).map(([table, n]) => [{ table }, n]));
  metric(
    'rows_dropped_total',
    'counter',
    'Rows dropped, per table and reason.',
    Object.entries(metrics.dropped).flatMap(([table, byReason]) => Object.entries(byReason).map(([reason, n]): [Record<string, string>, number] => [{ table, reason }, n])),
  );
  metric('spooled_batches_total', 'counter', 'Batches written to the spool.', [[{}, metrics.spooled.batches]]);
  metric('spool_pending_batches', 'gauge', 'Batches in the spool now.', [[{}, metrics.spooled.pendingBatches]]);
  metric('journal_pending_files', 'gauge', 'Acknowledged requests whose rows are only in the journal now.', [[{}, metrics.journalPendingFiles]]);
  metric('rows_deduplicated_total', 'counter', 'Rows skipped because their span id was already stored.', [[{}, metrics.deduplicatedRows]]);
  metric('queue_rows', 'gauge', 'Rows held in memory now.', [[{}, metrics.queue.rows]]);
  metric('queue_bytes', 'gauge', 'Approximate bytes held in memory now.', [[{}, metrics.queue.bytes]]);
  metric('memory_bytes', 'gauge', 'Process memory: rss (the embedded engine included), js_heap, external (buffers).', [
    [{ kind: 'rss' }, metrics.memory.rssBytes],
    [{ kind: 'js_heap' }, metrics.memory.heapUsedBytes],
    [{ kind: 'external' }, metrics.memory.externalBytes],
  ]);
  metric('responses_total', 'counter', 'Answers to /v1/traces by HTTP status.', Object.entries(metrics.responses).map(([status, n]) => [{ status }, n]));
  return `${lines.join('\n')}\n`;
}
