/**
 * Ingest throughput: spans/s from OTLP request bytes (protobuf and JSON, several batch sizes) to rows committed
 * in chDB through the real `otel-activity serve`; the mapping alone (decode + normalise + spanToRow) per core; and
 * the raw engine insert of the same rows (EmbeddedSink.insert of prebuilt rows), the limit end-to-end is held to;
 * and what storing each span id once costs (the service's recent-id check, the engine lookup after a crash).
 * Variants alternate per round, after one untimed warm-up run each; the raw insert runs in this process on its own
 * data directory, its tables in parallel as the service's queue inserts them.
 *
 *   node dist/bench/ingest-throughput.js [--full] [--rounds N] [--spans N] [--senders N] [--no-write]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { alternate, type Variant } from './lib/alternate';
import { numberArg, type BenchArgs } from './lib/bench-args';
import { readCpuSeconds, readRss, sleep, waitForIdle } from './lib/child-process';
import { CONTENT_TYPE, encodeSpans, type Encoding } from './lib/hand-made-span';
import { makeSpans } from './lib/otlp-payloads';
import { runStandalone, type BenchMain } from './lib/script-main';
import { serviceBuilt, startService, type ServiceChild } from './lib/service-child';
import { formatSummary, median, pass, summarize } from './lib/stats';
import { otlpToActivitySpans } from 'otel-activity-server/internal/exporter/normalize/from-otlp';
import { otlpProtobufToActivitySpans } from 'otel-activity-server/internal/exporter/normalize/from-otlp-protobuf';
import { RecentSpanIds } from 'otel-activity-server/internal/exporter/queue/recent-span-ids';
import { spanToRow } from 'otel-activity-server/internal/exporter/rows/span-to-row';
import { otlpProtoCodec } from 'otel-activity-server/internal/exporter/service/otlp-proto';
import { EmbeddedSink } from 'otel-activity-server/internal/exporter/sinks/embedded-sink';
import type { Sink } from 'otel-activity-server/internal/exporter/sinks/sink';
import { schemasDir } from 'otel-activity-server/internal/schemas/migration-files';
import { migrate } from 'otel-activity-server/internal/schemas/migrate';

/** The exporter's default flushCount: the raw insert uses the same insert size the service does. */
const PIPELINE_INSERT_ROWS = 5000;
/**
 * Requests in flight at once: what a few app instances or one collector (otlphttp sending_queue num_consumers
 * defaults to 10) keep open. Each request is answered only once its rows are durable, so a single sender
 * measures the group-commit latency, not the ingest rate.
 */
const DEFAULT_SENDERS = 8;
/** Spans each variant sends once, untimed, before the timed rounds (or one request of its batch, if larger). */
const WARMUP_SPANS = 10_000;

interface EndToEnd {
  readonly spansPerS: number;
  readonly retries: number;
  /** CPU the service process used per span (all its threads: JS, the engine's inserts and merges). */
  readonly cpuUsPerSpan: number;
}

interface RawInsert {
  readonly spansPerS: number;
  /** CPU this process used per row while inserting (the engine's threads; the rows were built before). */
  readonly cpuUsPerSpan: number;
}

/** Decodes, normalises and maps one payload; returns rows grouped by table. */
function mapPayload(bytes: Uint8Array, encoding: Encoding): Map<string, object[]> {
  // As the service reads them: JSON parsed then normalised, protobuf read straight into spans.
  const { spans } = encoding === 'json' ? otlpToActivitySpans(JSON.parse(Buffer.from(bytes).toString('utf8'))) : otlpProtobufToActivitySpans(bytes);
  const byTable = new Map<string, object[]>();
  for (const span of spans) {
    const routed = spanToRow(span);
    if (!routed) continue;
    let list = byTable.get(routed.table);
    if (!list) byTable.set(routed.table, (list = []));
    list.push(routed.row);
  }
  return byTable;
}

async function sendAll(service: ServiceChild, payloads: Uint8Array[], encoding: Encoding, senders: number): Promise<number> {
  let next = 0;
  let retries = 0;
  const worker = async (): Promise<void> => {
    while (next < payloads.length) {
      const body = payloads[next++];
      for (let attempt = 0; ; attempt++) {
        let res: { status: number; retryAfter?: string; body: string };
        try {
          res = await service.post('/v1/traces', body, CONTENT_TYPE[encoding]);
        } catch (error) {
          // A reset while the service answers early (e.g. 429 before reading the body): retry like an exporter.
          if (attempt > 200) throw error;
          retries++;
          await sleep(100);
          continue;
        }
        if (res.status === 200) break;
        if ((res.status !== 429 && res.status !== 503) || attempt > 200) throw new Error(`ingest answered ${res.status}: ${res.body.slice(0, 300)}`);
        retries++;
        // Honour Retry-After like a real exporter, but in this closed loop no longer than 1 s.
        await sleep(Math.min(1000, Number(res.retryAfter ?? 1) * 1000));
      }
    }
  };
  await Promise.all(Array.from({ length: senders }, worker));
  return retries;
}

async function totalRows(service: ServiceChild): Promise<number> {
  const rows = await service.query<{ n: string | number }>(
    `SELECT (SELECT count() FROM access_log) + (SELECT count() FROM auth_events) + (SELECT count() FROM external_calls) AS n`,
  );
  return Number(rows[0]?.n ?? 0);
}

async function waitForRows(service: ServiceChild, expected: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const n = await totalRows(service);
    if (n >= expected) return;
    if (Date.now() > until) throw new Error(`only ${n} of ${expected} rows committed after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/**
 * The tables are inserted in parallel, each its batches in order, as the service's queue delivers them (one chain per
 * table): inserted one table after another, the limit was lower than what the service reached in some rounds.
 */
async function timeRawInsert(sink: Sink, rowsByTable: Map<string, object[]>, token: string): Promise<RawInsert> {
  let rows = 0;
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  await Promise.all(
    [...rowsByTable].map(async ([table, list]) => {
      for (let i = 0; i < list.length; i += PIPELINE_INSERT_ROWS) {
        const chunk = list.slice(i, i + PIPELINE_INSERT_ROWS);
        const result = await sink.insert(table, chunk, { dedupToken: `${token}-${table}-${i}` });
        if (!result.ok) throw result.error;
        rows += chunk.length;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  return { spansPerS: rows / seconds, cpuUsPerSpan: (cpu.user + cpu.system) / rows };
}

interface DedupCost {
  /** RecentSpanIds check (stored? in flight?) and track, per span. */
  readonly memoryNsPerSpan: number;
  /** Memory held per remembered id (JS heap and typed-array buffers), when --expose-gc allows measuring it. */
  readonly bytesPerId: number | undefined;
  /** One PIPELINE_INSERT_ROWS-row insert, and the engine lookup of the same ids (the restart check), in ms. */
  readonly insertMs: number;
  readonly lookupMs: number;
}

/**
 * What storing each span id once costs: the service's in-memory check on every request, and the engine lookup that
 * runs per batch only for a while after a crash (or a 503), measured on the raw-insert data directory.
 */
async function timeDedup(sink: Sink, runId: number, spans: number): Promise<DedupCost> {
  const rows = mapPayload(encodeSpans(makeSpans(runId, 0, spans), 'protobuf'), 'protobuf');
  const all = [...rows.values()].flat() as Array<{ span_id: string; timestamp: string }>;
  const ids = all.map((r) => r.span_id);
  const recent = new RecentSpanIds(1_000_000);
  const start = process.hrtime.bigint();
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    for (const id of chunk) if (!recent.isStored(id)) recent.pending(id);
    recent.track(chunk, Promise.resolve(true));
  }
  const memoryNsPerSpan = Number(process.hrtime.bigint() - start) / ids.length;

  let bytesPerId: number | undefined;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    const heldNow = (): number => process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const before = heldNow();
    const held = new RecentSpanIds(200_000);
    const done = Promise.resolve(true);
    for (let i = 0; i < 200_000; i++) held.track([spanIdOf(runId + 1, i)], done);
    await done;
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    bytesPerId = (heldNow() - before) / held.size;
  }

  const lookupSql = fs.readFileSync(path.join(schemasDir(), 'pipeline', 'stored-span-ids.sql'), 'utf8');
  const access = (rows.get('access_log') ?? []) as Array<{ span_id: string; timestamp: string }>;
  const insertTimes: number[] = [];
  const lookupTimes: number[] = [];
  for (let i = 0; i + PIPELINE_INSERT_ROWS <= access.length; i += PIPELINE_INSERT_ROWS) {
    const chunk = access.slice(i, i + PIPELINE_INSERT_ROWS);
    let t = process.hrtime.bigint();
    const result = await sink.insert('access_log', chunk, { dedupToken: `dedup-bench-${runId}-${i}` });
    if (!result.ok) throw result.error;
    insertTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
    const stamps = chunk.map((r) => r.timestamp).sort();
    t = process.hrtime.bigint();
    await sink.query(lookupSql, { table: 'access_log', from: stamps[0], to: stamps[stamps.length - 1], ids: chunk.map((r) => r.span_id) });
    lookupTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { memoryNsPerSpan, bytesPerId, insertMs: median(insertTimes), lookupMs: median(lookupTimes) };
}

/** 16 hex digits in one flat string, as Buffer#toString('hex') makes them when OTLP is decoded (a concatenation would hold two). */
function spanIdOf(run: number, seq: number): string {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt16BE(run & 0xffff, 0);
  bytes.writeUIntBE(seq + 1, 2, 6);
  return bytes.toString('hex');
}

function timeMapping(payloads: Uint8Array[], encoding: Encoding, spans: number): { withDecode: number; mapOnly: number } {
  const decodeStart = process.hrtime.bigint();
  for (const p of payloads) mapPayload(p, encoding);
  const withDecode = spans / (Number(process.hrtime.bigint() - decodeStart) / 1e9);
  const decoded = payloads.map((p) => (encoding === 'json' ? JSON.parse(Buffer.from(p).toString('utf8')) : otlpProtoCodec().decodeRequest(p)));
  const mapStart = process.hrtime.bigint();
  for (const d of decoded) for (const span of otlpToActivitySpans(d).spans) spanToRow(span);
  const mapOnly = spans / (Number(process.hrtime.bigint() - mapStart) / 1e9);
  return { withDecode, mapOnly };
}

export const main: BenchMain = async (args: BenchArgs, log) => {
  if (!serviceBuilt()) return '### Ingest throughput\n\nNot measured: the server package (exporter/dist) is not built.\n';
  const rounds = args.rounds ?? (args.full ? 3 : 2);
  const spansPerRun = numberArg(args, 'spans', args.full ? 200_000 : 30_000);
  const batchSizes = args.full ? [1000, 10_000, 50_000] : [1000, 10_000];
  const encodings: Encoding[] = ['protobuf', 'json'];
  const senders = numberArg(args, 'senders', DEFAULT_SENDERS);

  // The service gets room for the largest JSON batch; everything else is its default configuration. A second one
  // answers once rows are journaled (ackAfter 'journal'), for protobuf only: the acknowledgement, not the format, differs.
  const bodyRoom = { OTEL_ACTIVITY_MAX_BODY_BYTES: String(256 * 1024 * 1024) };
  const service = await startService({ env: bodyRoom });
  const journaled = await startService({ env: { ...bodyRoom, OTEL_ACTIVITY_ACK_AFTER: 'journal' } });
  const rawDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-raw-insert-'));
  const rawSink = new EmbeddedSink({ dataDir: path.join(rawDir, 'data') });
  await migrate(rawSink, { retentionDays: 3650, rollupRetentionDays: 3650 });

  let run = 1;
  const committed = new Map<ServiceChild, number>();
  let rssPeakSeen = 0;
  let heapPeakMiB = 0;
  let externalPeakMiB = 0;
  let delayPeakMs = 0;
  const rssTimer = setInterval(() => {
    const rss = readRss(service.started.child.pid!);
    if (rss) rssPeakSeen = Math.max(rssPeakSeen, rss.peakMiB);
    // The JS side of it, from the service's own /metrics: what the engine holds is RSS minus heap and buffers.
    void service
      .metrics()
      .then(({ memory, eventLoopDelayMaxMs }) => {
        delayPeakMs = Math.max(delayPeakMs, eventLoopDelayMaxMs ?? 0);
        if (!memory) return;
        heapPeakMiB = Math.max(heapPeakMiB, memory.heapUsedBytes / 1048576);
        externalPeakMiB = Math.max(externalPeakMiB, memory.externalBytes / 1048576);
      })
      .catch(() => undefined);
  }, 200);
  const mapping = new Map<Encoding, { withDecode: number[]; mapOnly: number[] }>();

  try {
    // Each variant runs with a span count: spansPerRun when timed, WARMUP_SPANS in the untimed warm-up pass.
    const variants: Array<{ readonly name: string; readonly run: (spans: number, timed: boolean) => Promise<EndToEnd | RawInsert> }> = [];
    const targets = [
      { to: service, suffix: '', encodings },
      { to: journaled, suffix: ', ack after journal', encodings: ['protobuf'] as Encoding[] },
    ];
    for (const batch of batchSizes) {
      for (const { to, suffix, encodings: theirs } of targets) for (const encoding of theirs) {
        variants.push({
          name: `e2e ${encoding} ${batch}${suffix}`,
          run: async (spans, timed) => {
            const runId = run++;
            const payloads: Uint8Array[] = [];
            for (let first = 0; first < spans; first += batch) {
              payloads.push(encodeSpans(makeSpans(runId, first, Math.min(batch, spans - first)), encoding));
            }
            if (timed && batch === batchSizes[0] && to === service) {
              const m = timeMapping(payloads, encoding, spans);
              const entry = mapping.get(encoding) ?? { withDecode: [], mapOnly: [] };
              entry.withDecode.push(m.withDecode);
              entry.mapOnly.push(m.mapOnly);
              mapping.set(encoding, entry);
            }
            const pid = to.started.child.pid!;
            const cpuBefore = readCpuSeconds(pid) ?? 0;
            const start = process.hrtime.bigint();
            const retries = await sendAll(to, payloads, encoding, senders);
            const expected = (committed.get(to) ?? 0) + spans;
            committed.set(to, expected);
            await waitForRows(to, expected, 120_000);
            const seconds = Number(process.hrtime.bigint() - start) / 1e9;
            const cpuUsPerSpan = (((readCpuSeconds(pid) ?? 0) - cpuBefore) * 1e6) / spans;
            return { spansPerS: spans / seconds, retries, cpuUsPerSpan };
          },
        });
      }
    }
    const idleWaits: number[] = [];
    variants.push({
      name: 'raw insert',
      run: async (spans, timed) => {
        // The services' engines merge what the variant before wrote for seconds after it; the limit is measured alone.
        const waited = await waitForIdle([service.started.child.pid!, journaled.started.child.pid!]);
        if (timed) idleWaits.push(waited);
        const runId = run++;
        const rows = mapPayload(encodeSpans(makeSpans(runId, 0, spans), 'protobuf'), 'protobuf');
        return timeRawInsert(rawSink, rows, `raw-${runId}`);
      },
    });
    // Untimed: the first requests a fresh service decodes run before V8 has optimised the decoder and while the
    // engine's first parts are written, and the first variant of the first round paid for it (0.4 of the rate it
    // reached a round later).
    const warmupSpans = Math.max(WARMUP_SPANS, ...batchSizes);
    for (const v of variants) await v.run(warmupSpans, false);
    const timedVariants: Variant<EndToEnd | RawInsert>[] = variants.map((v) => ({ name: v.name, run: () => v.run(spansPerRun, true) }));
    const results = await alternate(timedVariants, rounds, (name, round, r) =>
      log(`round ${round + 1} ${name}: ${Math.round(r.spansPerS)} spans/s, ${r.cpuUsPerSpan.toFixed(1)} CPU µs/span`),
    );

    const raw = results.get('raw insert') as RawInsert[];
    const lines = [
      '### Ingest throughput',
      '',
      `${spansPerRun} spans per run (access with ~7% external and ~3% auth), ${rounds} alternated rounds after one untimed warm-up run of ${warmupSpans} spans per variant, ${senders} requests in flight, ` +
        'timed from the first request byte to the last row visible in chDB (count through the service). Service: default config (flushCount 5000, ' +
        `flush interval 1 s, group-commit window 100 ms, queue cap 100k rows, answering once rows are inserted); "ack after journal" rows are a second service ` +
        `answering once rows are fsync'd to its journal (OTEL_ACTIVITY_ACK_AFTER=journal). Raw insert: EmbeddedSink.insert of the same rows prebuilt, ${PIPELINE_INSERT_ROWS} rows per insert, the tables in parallel as the service's queue inserts them, in this process, ` +
        `once both services were idle (under 10% of a core; waited ${idleWaits.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s).`,
      '',
      '| path | spans/s median (spread) | ratio to raw insert (median of the rounds\' ratios) | CPU µs per span (median) | 429/503 retries | target |',
      '|---|---|---|---|---|---|',
      `| raw engine insert (the limit) | ${formatSummary(summarize(raw.map((r) => r.spansPerS)))} | 1 | ${median(raw.map((r) => r.cpuUsPerSpan)).toFixed(1)} | – | |`,
    ];
    for (const v of variants) {
      if (v.name === 'raw insert') continue;
      const runs = results.get(v.name) as EndToEnd[];
      const rate = summarize(runs.map((r) => r.spansPerS));
      // Paired by round: the raw insert ran in the same round, so a slow stretch of the shared machine hits both.
      const ratio = median(runs.map((r, round) => r.spansPerS / raw[round]!.spansPerS));
      lines.push(
        `| ${v.name} | ${formatSummary(rate)} | ${ratio.toFixed(2)} | ${median(runs.map((r) => r.cpuUsPerSpan)).toFixed(1)} | ${runs.reduce((s, r) => s + r.retries, 0)} | ` +
          `≥ 100k/s: ${pass(rate.median >= 100_000)}; ≥ 0.8 of raw: ${pass(ratio >= 0.8)} |`,
      );
    }
    lines.push('', '| mapping alone, one core | spans/s decode + normalise + spanToRow | spans/s normalise + spanToRow (of a protobufjs-decoded message for protobuf) |', '|---|---|---|');
    for (const [encoding, m] of mapping) {
      lines.push(`| ${encoding} (batches of ${batchSizes[0]}) | ${formatSummary(summarize(m.withDecode))} | ${formatSummary(summarize(m.mapOnly))} |`);
    }
    const dedup = await timeDedup(rawSink, run++, spansPerRun);
    const mapNsPerSpan = 1e9 / median(mapping.get('protobuf')?.withDecode ?? [Infinity]);
    lines.push(
      '',
      '| storing each span id once | cost |',
      '|---|---|',
      `| in-memory check + track (every request) | ${dedup.memoryNsPerSpan.toFixed(0)} ns/span (${((dedup.memoryNsPerSpan / mapNsPerSpan) * 100).toFixed(1)}% of protobuf decode + map) |`,
      `| memory per remembered id (default 1,000,000 ids) | ${dedup.bytesPerId === undefined ? 'not measured (run node with --expose-gc)' : `${dedup.bytesPerId.toFixed(0)} B, ${((dedup.bytesPerId * 1e6) / 1048576).toFixed(0)} MiB at the default`} |`,
      `| engine lookup per ${PIPELINE_INSERT_ROWS}-row batch (after a crash or a 503, for 5 min) | ${dedup.lookupMs.toFixed(1)} ms vs ${dedup.insertMs.toFixed(1)} ms for its insert (${((dedup.lookupMs / dedup.insertMs) * 100).toFixed(0)}%) |`,
    );
    const rss = readRss(service.started.child.pid!);
    const peak = Math.max(rssPeakSeen, rss?.peakMiB ?? 0);
    const journaledPeak = readRss(journaled.started.child.pid!)?.peakMiB ?? 0;
    lines.push(
      '',
      `Service peak RSS (VmHWM): ${peak.toFixed(0)} MiB; target < 400 MB: ${pass(peak * 1.048576 < 400)}. ` +
        `Peaks sampled every 200 ms from its /metrics: JS heap ${heapPeakMiB.toFixed(0)} MiB, buffers outside the heap ${externalPeakMiB.toFixed(0)} MiB, ` +
        `event-loop delay ${delayPeakMs.toFixed(0)} ms; ` +
        'the rest is the chDB engine (about 210 MiB loaded, plus its insert and merge memory). ' +
        `The service acknowledging after the journal: ${journaledPeak.toFixed(0)} MiB (its queue holds more rows, as senders do not wait for inserts).`,
      '',
    );
    return lines.join('\n');
  } finally {
    clearInterval(rssTimer);
    await service.stop();
    await journaled.stop();
    await rawSink.close();
    fs.rmSync(rawDir, { recursive: true, force: true });
  }
};

if (require.main === module) runStandalone('ingest throughput', main, ['senders', 'spans']);
