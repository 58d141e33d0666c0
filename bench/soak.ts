/**
 * Soak (`npm run soak`): the real ingest service on loopback, fed at a steady rate for 10+ minutes by senders that
 * retry like the official exporters; its RSS sampled throughout. Passes when RSS shows no growth trend after warm-up
 * and every span id the service answered 200 for is stored exactly once. Not part of the test run.
 *
 *   node dist/bench/soak.js [--minutes 10] [--rate 500] [--batch 50] [--sample-seconds 10] [--out FILE]
 */
import * as fs from 'node:fs';
import { numberArg, parseBenchArgs } from './lib/bench-args';
import { readRss, sleep } from './lib/child-process';
import { CONTENT_TYPE, encodeSpans, spanIdFor } from './lib/hand-made-span';
import { makeSpans } from './lib/otlp-payloads';
import { serviceBuilt, startService, type ServiceChild } from './lib/service-child';

interface Sample {
  readonly atSeconds: number;
  readonly rssMiB: number;
  readonly acknowledged: number;
  readonly stored: number;
  readonly queueRows: number;
  readonly lagMs: number;
}

interface Counters {
  requests: number;
  attempts: number;
  retries: number;
  gaveUp: number;
  statuses: Record<string, number>;
}

const RUN = 0x50a1;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function storedRows(service: ServiceChild): Promise<number> {
  const rows = await service.query<{ n: string | number }>(
    'SELECT (SELECT count() FROM access_log) + (SELECT count() FROM auth_events) + (SELECT count() FROM external_calls) AS n',
  );
  return Number(rows[0]?.n ?? 0);
}

async function queueRows(service: ServiceChild): Promise<number> {
  try {
    const response = await fetch(`${service.url}/metrics`);
    const metrics = (await response.json()) as { queue?: { rows?: number } };
    return metrics.queue?.rows ?? -1;
  } catch {
    return -1;
  }
}

/** One batch, retried on 429/503 (Retry-After), 502/504 and connection errors, like the OTLP exporters. */
async function sendBatch(service: ServiceChild, first: number, size: number, counters: Counters): Promise<boolean> {
  const body = encodeSpans(makeSpans(RUN, first, size), 'protobuf');
  const deadline = Date.now() + 120_000;
  counters.requests++;
  for (;;) {
    counters.attempts++;
    const result = await service.post('/v1/traces', body, CONTENT_TYPE.protobuf).catch(() => ({ status: 0, retryAfter: undefined, body: '' }));
    counters.statuses[result.status] = (counters.statuses[result.status] ?? 0) + 1;
    if (result.status === 200) return true;
    if (![0, 429, 502, 503, 504].includes(result.status) || Date.now() > deadline) {
      counters.gaveUp++;
      return false;
    }
    counters.retries++;
    await sleep(result.retryAfter ? Number(result.retryAfter) * 1000 : 200);
  }
}

async function main(): Promise<number> {
  const args = parseBenchArgs(['batch', 'minutes', 'out', 'rate', 'sample-seconds']);
  const minutes = numberArg(args, 'minutes', Number(process.env.SOAK_MINUTES ?? 10));
  const rate = numberArg(args, 'rate', Number(process.env.SOAK_RATE ?? 500));
  const batch = numberArg(args, 'batch', 50);
  const sampleSeconds = numberArg(args, 'sample-seconds', 10);
  const out = args.values.get('out');
  if (!serviceBuilt()) throw new Error('the server package (exporter/dist) is not built: run npm run build first');

  const service = await startService();
  const pid = service.started.child.pid!;
  log(`soak: service pid ${pid} at ${service.url}; ${minutes} min at ${rate} spans/s in batches of ${batch}`);
  const counters: Counters = { requests: 0, attempts: 0, retries: 0, gaveUp: 0, statuses: {} };
  const acknowledgedBatches: number[] = [];
  const samples: Sample[] = [];
  const started = Date.now();
  const endAt = started + minutes * 60_000;
  const intervalMs = (batch / rate) * 1000;
  let next = 0;
  let maxLagMs = 0;
  const inflight = new Set<Promise<void>>();

  const sampler = setInterval(() => {
    void (async () => {
      const rss = readRss(pid);
      const stored = await storedRows(service).catch(() => -1);
      const sample: Sample = {
        atSeconds: Math.round((Date.now() - started) / 1000),
        rssMiB: Math.round((rss?.rssMiB ?? 0) * 10) / 10,
        acknowledged: acknowledgedBatches.length * batch,
        stored,
        queueRows: await queueRows(service),
        lagMs: Math.round(maxLagMs),
      };
      samples.push(sample);
      maxLagMs = 0;
      log(`soak: t=${sample.atSeconds}s rss=${sample.rssMiB} MiB acked=${sample.acknowledged} stored=${sample.stored} queue=${sample.queueRows} sender lag=${sample.lagMs} ms`);
    })();
  }, sampleSeconds * 1000);

  // Open-loop pacing: batch k is due at started + k·interval whatever the service does; lag says if we fell behind.
  for (let k = 0; Date.now() < endAt; k++) {
    const due = started + k * intervalMs;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    else maxLagMs = Math.max(maxLagMs, -wait);
    const first = next;
    next += batch;
    const p: Promise<void> = sendBatch(service, first, batch, counters).then((ok) => {
      if (ok) acknowledgedBatches.push(first);
      inflight.delete(p);
    });
    inflight.add(p);
    if (inflight.size > 64) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  clearInterval(sampler);

  // Drain: everything acknowledged must show up.
  const acknowledged = acknowledgedBatches.length * batch;
  const drainUntil = Date.now() + 120_000;
  let stored = await storedRows(service);
  while (stored < acknowledged && Date.now() < drainUntil) {
    await sleep(500);
    stored = await storedRows(service);
  }
  const prefix = spanIdFor(RUN, 0).slice(0, 4);
  const rows = await service.query<{ span_id: string; n: string | number }>(
    'SELECT span_id, count() AS n FROM (SELECT span_id FROM access_log UNION ALL SELECT span_id FROM auth_events UNION ALL SELECT span_id FROM external_calls) ' +
      `WHERE startsWith(span_id, '${prefix}') GROUP BY span_id`, // prefix: our own run id in hex, not input
  );
  const storedIds = new Map(rows.map((r) => [r.span_id, Number(r.n)]));
  let lost = 0;
  for (const first of acknowledgedBatches) for (let i = 0; i < batch; i++) if (!storedIds.has(spanIdFor(RUN, first + i))) lost++;
  const duplicated = [...storedIds.values()].filter((n) => n > 1).length;
  const finalRss = readRss(pid);
  await service.stop();

  // Trend after warm-up (first 20% of samples): the engine's caches grow with the data at first and then level off,
  // so "no growth" means the last third's mean RSS is within 5% of the middle third's and the last half's slope is
  // under 5 MiB/min (a leak of one span's bytes per request would grow linearly and fail both).
  const steady = samples.slice(Math.floor(samples.length * 0.2)).filter((s) => s.rssMiB > 0);
  const rssSlope = slope(steady.map((s) => s.atSeconds / 60), steady.map((s) => s.rssMiB));
  const lastHalf = steady.slice(Math.floor(steady.length / 2));
  const lastHalfSlope = slope(lastHalf.map((s) => s.atSeconds / 60), lastHalf.map((s) => s.rssMiB));
  const third = Math.floor(steady.length / 3);
  const mean = (xs: readonly Sample[]) => xs.reduce((a, s) => a + s.rssMiB, 0) / Math.max(1, xs.length);
  const middleMean = mean(steady.slice(third, 2 * third));
  const lastMean = mean(steady.slice(2 * third));
  const noGrowth = lastMean <= middleMean * 1.05 && lastHalfSlope < 5;
  const ok = lost === 0 && duplicated === 0 && counters.gaveUp === 0 && noGrowth;
  const result = {
    date: new Date().toISOString(),
    minutes,
    rateSpansPerSecond: rate,
    batch,
    requests: counters.requests,
    attempts: counters.attempts,
    retries: counters.retries,
    gaveUp: counters.gaveUp,
    statuses: counters.statuses,
    spansSent: next,
    acknowledged,
    stored: storedIds.size,
    lost,
    duplicated,
    rss: {
      firstMiB: samples[0]?.rssMiB,
      steadyMinMiB: Math.min(...steady.map((s) => s.rssMiB)),
      steadyMaxMiB: Math.max(...steady.map((s) => s.rssMiB)),
      finalMiB: finalRss ? Math.round(finalRss.rssMiB * 10) / 10 : undefined,
      peakMiB: finalRss ? Math.round(finalRss.peakMiB * 10) / 10 : undefined,
      slopeMiBPerMinute: Math.round(rssSlope * 100) / 100,
      lastHalfSlopeMiBPerMinute: Math.round(lastHalfSlope * 100) / 100,
      middleThirdMeanMiB: Math.round(middleMean * 10) / 10,
      lastThirdMeanMiB: Math.round(lastMean * 10) / 10,
    },
    noGrowthTrend: noGrowth,
    pass: ok,
    samples,
  };
  const text = JSON.stringify(result, null, 2);
  process.stdout.write(`${text}\n`);
  if (out) fs.writeFileSync(out, `${text}\n`);
  log(
    `soak: ${ok ? 'PASS' : 'FAIL'}: ${next} spans sent, ${acknowledged} acknowledged, ${storedIds.size} stored, ${lost} lost, ${duplicated} duplicated; ` +
      `RSS ${result.rss.steadyMinMiB}–${result.rss.steadyMaxMiB} MiB after warm-up, slope ${result.rss.slopeMiBPerMinute} MiB/min (last half ${result.rss.lastHalfSlopeMiBPerMinute}); mean of middle/last third ${result.rss.middleThirdMeanMiB}/${result.rss.lastThirdMeanMiB} MiB`,
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    log(`soak failed: ${error.stack ?? error.message}`);
    process.exit(2);
  },
);
