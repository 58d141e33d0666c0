/**
 * Memory and backpressure: measures the service's ingest rate, then floods it at 3× that rate for a fixed time with
 * senders that retry 429/503 (honouring Retry-After) and connection errors, samples its RSS, and at the end checks
 * that every span id the service answered 200 for is in the tables exactly once, and nothing else is.
 *
 *   node dist/bench/backpressure.js [--full] [--seconds S] [--factor F] [--queue-rows N] [--no-write]
 */
import { numberArg, type BenchArgs } from './lib/bench-args';
import { readRss, sleep } from './lib/child-process';
import { CONTENT_TYPE, encodeSpans, spanIdFor } from './lib/hand-made-span';
import { makeSpans } from './lib/otlp-payloads';
import { runStandalone, type BenchMain } from './lib/script-main';
import { serviceBuilt, startService, type ServiceChild } from './lib/service-child';
import { median, pass } from './lib/stats';

const BATCH = 1000;
const MAX_IN_FLIGHT = 48;
/** As many as the ingest bench uses (a collector's sending queue keeps about that many requests open). */
const CALIBRATION_SENDERS = 8;
const RSS_CAP_MB = 400;

interface FloodCounters {
  batchesOffered: number;
  requests: number;
  ok: number;
  s429: number;
  s503: number;
  otherStatus: number;
  networkErrors: number;
  gaveUp: number;
  acceptedBatches: number[];
}

async function storedIds(service: ServiceChild, prefix: string): Promise<string[]> {
  const rows = await service.query<{ span_id: string }>(
    `SELECT span_id FROM (SELECT span_id FROM access_log UNION ALL SELECT span_id FROM auth_events UNION ALL SELECT span_id FROM external_calls) ` +
      `WHERE startsWith(span_id, '${prefix}')`, // prefix is our own 4 hex digits, not user input
  );
  return rows.map((r) => r.span_id);
}

async function totalRows(service: ServiceChild): Promise<number> {
  const rows = await service.query<{ n: string | number }>(
    'SELECT (SELECT count() FROM access_log) + (SELECT count() FROM auth_events) + (SELECT count() FROM external_calls) AS n',
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Closed-loop send of `seconds` worth of batches, CALIBRATION_SENDERS in flight: rows committed per second. Each
 * request is answered once its rows are durable, so with too few senders this measures commit latency, and "3×"
 * of it would not exceed what the service can take.
 */
async function calibrate(service: ServiceChild, run: number, seconds: number): Promise<number> {
  const start = Date.now();
  let sent = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() - start < seconds * 1000) {
      const first = sent;
      sent += BATCH;
      const body = encodeSpans(makeSpans(run, first, BATCH), 'protobuf');
      const res = await service.post('/v1/traces', body, CONTENT_TYPE.protobuf).catch(() => ({ status: 0 }));
      if (res.status !== 200) await sleep(200);
    }
  };
  await Promise.all(Array.from({ length: CALIBRATION_SENDERS }, worker));
  const deadline = Date.now() + 60_000;
  let n = await totalRows(service);
  while (n < sent && Date.now() < deadline) {
    await sleep(100);
    n = await totalRows(service);
  }
  return n / ((Date.now() - start) / 1000);
}

export const main: BenchMain = async (args: BenchArgs, log) => {
  if (!serviceBuilt()) return '### Memory and backpressure\n\nNot measured: the server package (exporter/dist) is not built.\n';
  const seconds = numberArg(args, 'seconds', args.full ? 60 : 15);
  const factor = numberArg(args, 'factor', 3);
  // Quick mode caps the queue at 20k rows so 15 s of flood reaches it on a slow box; --full keeps the default cap.
  const queueRows = args.values.get('queue-rows') ?? (args.full ? undefined : '20000');
  const service = await startService({ env: queueRows ? { OTEL_ACTIVITY_MAX_QUEUE_ROWS: queueRows } : {} });
  const pid = service.started.child.pid!;
  const rssSamples: number[] = [];
  // Event-loop delay (largest per 250 ms, from /metrics): what the load shedding of overload-guard.ts sees.
  const delaySamples: number[] = [];
  const rssTimer = setInterval(() => {
    const rss = readRss(pid);
    if (rss) rssSamples.push(rss.rssMiB);
    void service
      .metrics()
      .then((m) => delaySamples.push(m.eventLoopDelayMaxMs ?? 0))
      .catch(() => undefined);
  }, 250);
  try {
    const rate = await calibrate(service, 1, args.full ? 8 : 4);
    const baseRows = await totalRows(service);
    log(`calibrated ingest rate ${Math.round(rate)} spans/s; flooding at ${factor}× for ${seconds} s`);

    const run = 2;
    const c: FloodCounters = { batchesOffered: 0, requests: 0, ok: 0, s429: 0, s503: 0, otherStatus: 0, networkErrors: 0, gaveUp: 0, acceptedBatches: [] };
    const intervalMs = (BATCH / (rate * factor)) * 1000;
    const floodStart = Date.now();
    const floodEnd = floodStart + seconds * 1000;
    // Senders keep retrying after the flood stops, like exporters with a deadline: at most 60 s more.
    const retryDeadline = floodEnd + 60_000;
    let inFlight = 0;
    let skippedForInFlight = 0;
    const pending: Promise<void>[] = [];

    const sendBatch = async (index: number): Promise<void> => {
      const body = encodeSpans(makeSpans(run, index * BATCH, BATCH), 'protobuf');
      for (;;) {
        c.requests++;
        let status = 0;
        let retryAfter: string | undefined;
        try {
          const res = await service.post('/v1/traces', body, CONTENT_TYPE.protobuf);
          status = res.status;
          retryAfter = res.retryAfter;
        } catch {
          c.networkErrors++;
        }
        if (status === 200) {
          c.ok++;
          c.acceptedBatches.push(index);
          return;
        }
        if (status === 429) c.s429++;
        else if (status === 503) c.s503++;
        else if (status !== 0) {
          c.otherStatus++;
          return; // not retryable by the OTLP spec
        }
        const waitMs = status === 0 ? 250 : Number(retryAfter ?? 1) * 1000;
        if (Date.now() + waitMs > retryDeadline) {
          c.gaveUp++;
          return;
        }
        await sleep(waitMs);
      }
    };

    for (let index = 0; Date.now() < floodEnd; index++) {
      const due = floodStart + index * intervalMs;
      if (due > Date.now()) await sleep(due - Date.now());
      if (inFlight >= MAX_IN_FLIGHT) {
        skippedForInFlight++; // an open-loop sender would pile up without bound; ours sheds at the source and counts it
        continue;
      }
      c.batchesOffered++;
      inFlight++;
      pending.push(sendBatch(index).finally(() => inFlight--));
    }
    await Promise.all(pending);
    const sendDoneS = (Date.now() - floodStart) / 1000;

    // Drain: wait until the row count stops moving (or every accepted span is there).
    const accepted = c.acceptedBatches.length * BATCH;
    const drainStart = Date.now();
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const n = (await totalRows(service)) - baseRows;
      if (n >= accepted) break;
      if (n !== last) {
        last = n;
        stableSince = Date.now();
      } else if (Date.now() - stableSince > 10_000 || Date.now() - drainStart > 120_000) break;
      await sleep(200);
    }
    const drainS = (Date.now() - drainStart) / 1000;

    const stored = await storedIds(service, spanIdFor(run, 0).slice(0, 4));
    const storedSet = new Set(stored);
    let missing = 0;
    for (const b of c.acceptedBatches) {
      for (let seq = b * BATCH; seq < (b + 1) * BATCH; seq++) if (!storedSet.has(spanIdFor(run, seq))) missing++;
    }
    const acceptedSet = new Set(c.acceptedBatches);
    const unexpected = stored.filter((id) => !acceptedSet.has(Math.floor((parseInt(id.slice(4), 16) - 1) / BATCH))).length;
    const duplicates = stored.length - storedSet.size;
    const rss = readRss(pid);
    const maxRss = Math.max(...rssSamples, rss?.rssMiB ?? 0);
    const peak = Math.max(maxRss, rss?.peakMiB ?? 0);
    const metrics = await service.metrics();

    const lines = [
      '### Memory and backpressure',
      '',
      `Service: ${queueRows ? `OTEL_ACTIVITY_MAX_QUEUE_ROWS=${queueRows}` : 'default queue cap (100k rows)'}, otherwise defaults. ` +
        `Calibrated ingest rate (closed loop, ${CALIBRATION_SENDERS} in flight): ${Math.round(rate)} spans/s. Flood: ${factor}× that ` +
        `(${Math.round(rate * factor)} spans/s offered, batches of ${BATCH}, protobuf) for ${seconds} s, at most ${MAX_IN_FLIGHT} requests in flight; ` +
        'senders retry 429/503 after Retry-After and connection errors after 250 ms, for up to 60 s after the flood.',
      '',
      '| figure | value |',
      '|---|---|',
      `| batches offered / shed at the sender (in-flight cap) | ${c.batchesOffered} / ${skippedForInFlight} |`,
      `| HTTP requests | ${c.requests} |`,
      `| 200 / 429 / 503 / other / connection errors | ${c.ok} / ${c.s429} / ${c.s503} / ${c.otherStatus} / ${c.networkErrors} |`,
      `| batches given up after the retry deadline | ${c.gaveUp} |`,
      `| spans accepted (200) | ${accepted} |`,
      `| accepted spans missing from the tables | ${missing} |`,
      `| stored spans never accepted / duplicates | ${unexpected} / ${duplicates} |`,
      `| senders done after / drain after that | ${sendDoneS.toFixed(1)} s / ${drainS.toFixed(1)} s |`,
      `| service RSS max sampled / peak (VmHWM) | ${maxRss.toFixed(0)} MiB / ${peak.toFixed(0)} MiB |`,
      `| service dropped (its own count) | ${metrics.droppedTotal ?? 'n/a'} |`,
      `| requests shed by the service (event loop late, memory high) | ${metrics.shedRequests ?? 'n/a'} |`,
      `| event-loop delay per 250 ms, median / max | ${delaySamples.length ? median(delaySamples) : 0} / ${Math.max(0, ...delaySamples)} ms |`,
      '',
      `Nothing accepted is lost: ${pass(missing === 0 && accepted > 0)}. Senders got 429/503: ${pass(c.s429 + c.s503 > 0)}. ` +
        `RSS under ${RSS_CAP_MB} MB: ${pass(peak * 1.048576 < RSS_CAP_MB)}.`,
      '',
    ];
    return lines.join('\n');
  } finally {
    clearInterval(rssTimer);
    await service.stop();
  }
};

if (require.main === module) runStandalone('backpressure', main, ['factor', 'queue-rows', 'seconds']);
