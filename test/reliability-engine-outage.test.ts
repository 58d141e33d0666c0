/**
 * The engine unavailable during load, for real: another process holds the chDB data directory's lock, so every
 * insert of the ingest service fails. Rows must go to the spool, survive a SIGKILL of the service while they wait
 * there, and be inserted exactly once after the engine comes back. With the spool unusable too (a path under a
 * regular file, or a full tmpfs), the service must keep serving, say why, and count every row it drops:
 * sent = stored + counted drops.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdDataDir, type DataDirLock } from './helpers/data-dir-lock';
import { makeSpans, OtlpSender } from './helpers/otlp-sender';
import { requireBuiltCli, createService, type ServiceProcess } from './helpers/service-process';
import { compareDelivery, storedSpanIdCounts } from './helpers/stored-rows';
import { waitUntil } from './helpers/wait-until';

const OUTAGE_MS = Number(process.env.RELIABILITY_OUTAGE_MS ?? 12_000);
/** Fast retries so batches reach the spool in seconds, not the default ~30 s deadline. */
const FAST_RETRY = {
  OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '200',
  OTEL_ACTIVITY_MAX_RETRIES: '2',
  OTEL_ACTIVITY_RETRY_INITIAL_MS: '50',
  OTEL_ACTIVITY_RETRY_MAX_MS: '200',
};

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
}, 60_000);

type Metrics = {
  inserted: Record<string, number>;
  dropped: Record<string, Record<string, number>>;
  droppedTotal: number;
  spooled: { batches: number; replayedBatches: number; pendingBatches: number; pendingBytes: number };
  queue: { rows: number };
  lastInsertError: string | null;
};

async function metricsOf(service: ServiceProcess): Promise<Metrics> {
  return (await service.metrics()) as unknown as Metrics;
}

/** The service's metrics once `predicate` holds for them. */
async function waitFor(service: ServiceProcess, what: string, predicate: (m: Metrics) => boolean, timeoutMs: number): Promise<Metrics> {
  let latest: Metrics | undefined;
  await waitUntil(async () => predicate((latest = await metricsOf(service))), timeoutMs, () => `${what}; metrics: ${JSON.stringify(latest)}`, 200);
  return latest!; // set by the check that held
}

const insertedTotal = (m: Metrics) => Object.values(m.inserted).reduce((a, b) => a + b, 0);
const droppedBy = (m: Metrics, reason: string) => Object.values(m.dropped).reduce((a, byReason) => a + (byReason[reason] ?? 0), 0);

/** Sends `count` spans from `first` at a steady pace over `spreadMs`, two requests in flight; returns request latencies. */
async function sendPaced(sender: OtlpSender, run: number, first: number, count: number, spreadMs: number): Promise<number[]> {
  const perRequest = 25;
  const requests = Math.ceil(count / perRequest);
  const gap = spreadMs / requests;
  const latencies: number[] = [];
  const inflight: Array<Promise<void>> = [];
  for (let r = 0; r < requests; r++) {
    const start = first + r * perRequest;
    const t = Date.now();
    inflight.push(sender.send(makeSpans(run, start, Math.min(perRequest, first + count - start))).then(() => void latencies.push(Date.now() - t)));
    if (inflight.length >= 2) await inflight.shift();
    await new Promise((res) => setTimeout(res, gap));
  }
  await Promise.all(inflight);
  return latencies;
}

function p(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

describe('engine unavailable during load', () => {
  beforeAll(requireBuiltCli);
  it('spools while the engine is locked by another process, keeps the spool across a SIGKILL, and stores everything exactly once after recovery', async () => {
    const RUN = 0x0a7e;
    const service = await createService({ env: FAST_RETRY });
    cleanups.push(() => service.dispose());
    let lock: DataDirLock | undefined = await holdDataDir(service.dataDir);
    cleanups.push(() => lock?.release());
    await service.start();
    const sender = new OtlpSender({ url: service.tracesUrl, encoding: 'protobuf', deadlineMs: 60_000 });
    const started = Date.now();

    // Phase 1: load while the engine is down.
    const latencies = await sendPaced(sender, RUN, 0, 1000, OUTAGE_MS / 2);
    const spooled = await waitFor(service, 'the queue to drain into the spool', (m) => m.queue.rows === 0 && m.spooled.pendingBatches > 0, 60_000);
    expect(insertedTotal(spooled)).toBe(0);
    expect(spooled.droppedTotal).toBe(0);
    expect(spooled.lastInsertError ?? '').not.toBe('');
    const spoolDir = path.join(service.root, 'spool');
    const spoolFiles = fs.readdirSync(spoolDir).filter((f) => f.endsWith('.ndjson')).length;

    // Phase 2: SIGKILL with batches on disk, restart (engine still down), more load.
    await service.kill();
    await service.start();
    latencies.push(...(await sendPaced(sender, RUN, 1000, 500, OUTAGE_MS / 2)));
    await waitFor(service, 'the second queue to drain into the spool', (m) => m.queue.rows === 0, 60_000);

    // Phase 3: the engine comes back.
    const outageMs = Date.now() - started;
    await lock.release();
    lock = undefined;
    const recovered = Date.now();
    const after = await waitFor(service, 'the spool to be replayed', (m) => m.spooled.pendingBatches === 0 && m.queue.rows === 0 && insertedTotal(m) > 0, 90_000);
    const recoveryMs = Date.now() - recovered;
    await service.stop();

    const sent = new Set(Array.from({ length: 1500 }, (_, i) => makeSpans(RUN, i, 1)[0]!.spanContext().spanId));
    const stored = await storedSpanIdCounts(service.dataDir);
    const report = compareDelivery(sender.acknowledged, sent, stored);
    const summary = {
      outageSeconds: Math.round(outageMs / 1000),
      spansSent: sent.size,
      acknowledged: report.acknowledged,
      spoolFilesBeforeKill: spoolFiles,
      replayedBatchesAfterRestart: after.spooled.replayedBatches,
      recoverySeconds: Math.round(recoveryMs / 100) / 10,
      stored: report.stored,
      lost: report.lost.length,
      duplicated: report.duplicated.length,
      droppedTotal: after.droppedTotal,
      senderLatencyMs: { p50: p(latencies, 0.5), p99: p(latencies, 0.99), max: Math.max(...latencies) },
      senderStatuses: Object.fromEntries(sender.statuses),
    };
    console.log(`[reliability] engine outage: ${JSON.stringify(summary)}`);
    expect(sender.failed.size).toBe(0);
    expect(report.acknowledged).toBe(1500);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.stored).toBe(1500);
    // The sender never waited for the engine to come back (answers within a fraction of the outage; the absolute
    // figure depends on how loaded the shared cores are).
    expect(p(latencies, 0.99)).toBeLessThan(outageMs / 2);
  }, 240_000);

  it('stores everything exactly once when the service is SIGKILLed in the middle of replaying its spool', async () => {
    const RUN = 0x0d7e;
    const service = await createService({ env: FAST_RETRY });
    cleanups.push(() => service.dispose());
    const lock = await holdDataDir(service.dataDir);
    cleanups.push(() => lock.release());
    await service.start();
    const sender = new OtlpSender({ url: service.tracesUrl, encoding: 'protobuf', deadlineMs: 60_000 });
    // Small batches so the spool holds many files and the replay takes long enough to be interrupted.
    await sendPaced(sender, RUN, 0, 2000, 3000);
    const spooled = await waitFor(service, 'everything to be spooled', (m) => m.queue.rows === 0 && m.spooled.pendingBatches > 0, 60_000);
    await lock.release();
    // Kill as soon as the replay has started but before it has finished.
    const killedAt = await waitFor(service, 'the replay to start', (m) => m.spooled.replayedBatches > 0, 30_000);
    await service.kill();
    await service.start();
    await waitFor(service, 'the rest of the spool to be replayed', (m) => m.spooled.pendingBatches === 0 && m.queue.rows === 0, 90_000);
    await service.stop();
    const sent = new Set(Array.from({ length: 2000 }, (_, i) => makeSpans(RUN, i, 1)[0]!.spanContext().spanId));
    const report = compareDelivery(sender.acknowledged, sent, await storedSpanIdCounts(service.dataDir));
    console.log(
      `[reliability] SIGKILL mid-replay: ${spooled.spooled.pendingBatches} spooled batches, killed after ${killedAt.spooled.replayedBatches} replayed ` +
        `(${killedAt.spooled.pendingBatches} left); acknowledged ${report.acknowledged}, stored ${report.stored}, lost ${report.lost.length}, duplicated ${report.duplicated.length}`,
    );
    expect(killedAt.spooled.pendingBatches).toBeGreaterThan(0);
    expect(report.acknowledged).toBe(2000);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.stored).toBe(2000);
  }, 240_000);

  it('keeps serving with the spool directory unusable (a path under a regular file): 503 + Retry-After, counted drops, clear error, nothing acknowledged lost', async () => {
    const RUN = 0x0b7e;
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-rel-'));
    // Even root cannot create a directory under a regular file (ENOTDIR).
    const blocker = path.join(root, 'not-a-dir');
    fs.writeFileSync(blocker, 'a regular file');
    const spoolDir = path.join(blocker, 'spool');
    const svc = await createService({ root, env: { ...FAST_RETRY, OTEL_ACTIVITY_SPOOL_DIR: spoolDir } });
    cleanups.push(() => svc.dispose());
    let lock: DataDirLock | undefined = await holdDataDir(svc.dataDir);
    cleanups.push(() => lock?.release());
    await svc.start();
    // The sender keeps what the service cannot keep and retries, as the OTLP exporters do.
    const sender = new OtlpSender({ url: svc.tracesUrl, encoding: 'json', deadlineMs: 150_000 });
    const sending = sendPaced(sender, RUN, 0, 200, 1000);
    const m = await waitFor(svc, 'rows to be dropped as spool errors', (x) => droppedBy(x, 'spool_error') >= 200, 60_000);
    expect(m.droppedTotal).toBe(droppedBy(m, 'spool_error'));
    expect(sender.acknowledged.size).toBe(0);
    expect(sender.statuses.get(503) ?? 0).toBeGreaterThan(0);
    // Nothing can be committed now: /healthz says so, with the cause.
    const down = await svc.healthz();
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ status: 'not ready' });
    expect(down.body).toMatch(/ingest cannot commit: the last \d+ requests could not be stored durably \(last engine error: .*in use.*rows dropped so far: spool_error \d+/);
    const output = svc.output();
    expect(output).toContain(spoolDir);
    expect(output).toMatch(/ENOTDIR|not a directory/i);

    // The engine comes back: the retried requests are taken now, and new ones too.
    await lock.release();
    lock = undefined;
    await sending;
    const later = new OtlpSender({ url: svc.tracesUrl, encoding: 'json' });
    await sendPaced(later, RUN, 200, 100, 500);
    expect((await svc.healthz()).status).toBe(200);
    await svc.stop();
    const stored = await storedSpanIdCounts(svc.dataDir);
    const sent = new Set(makeSpans(RUN, 0, 300).map((s) => s.spanContext().spanId));
    const acknowledged = new Set([...sender.acknowledged, ...later.acknowledged]);
    const report = compareDelivery(acknowledged, sent, stored);
    console.log(
      `[reliability] unusable spool dir: during the outage ${sender.statuses.get(503) ?? 0} answers 503 + Retry-After, ${droppedBy(m, 'spool_error')} rows dropped and counted (spool_error), 0 acknowledged; ` +
        `after recovery acknowledged ${report.acknowledged}/300, stored ${report.stored}, lost ${report.lost.length}, duplicated ${report.duplicated.length}; healthz 503 naming the cause, 200 again after recovery; the log names ${spoolDir}`,
    );
    expect(report.acknowledged).toBe(300);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.stored).toBe(300);
  }, 240_000);

  const canMount = (() => {
    if (process.getuid?.() !== 0 || process.platform !== 'linux') return false;
    const probe = fs.mkdtempSync('/tmp/otel-activity-mnt-probe-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    } finally {
      fs.rmSync(probe, { recursive: true, force: true });
    }
  })();

  // Also hit by the replay-before-migrations race (known bug), so it runs with RELIABILITY_KNOWN_BUGS=replayBeforeMigrations.
  it.runIf(canMount)('with the spool on a full disk (1 MB tmpfs): keeps serving, counts what it could not keep, and loses nothing acknowledged', async () => {
    const RUN = 0x0c7e;
    const root = fs.mkdtempSync('/tmp/otel-activity-rel-full-');
    const spoolDir = path.join(root, 'spool');
    fs.mkdirSync(spoolDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', spoolDir]);
    cleanups.push(() => {
      execFileSync('umount', ['-l', spoolDir]);
      fs.rmSync(root, { recursive: true, force: true });
    });
    const svc = await createService({ root, env: { ...FAST_RETRY, OTEL_ACTIVITY_SPOOL_DIR: spoolDir } });
    const lock = await holdDataDir(svc.dataDir);
    cleanups.push(() => lock.release());
    await svc.start();
    cleanups.push(() => svc.kill());
    // Under durable acknowledgement, what the full disk cannot keep is answered 503 and stays with the sender.
    const sender = new OtlpSender({ url: svc.tracesUrl, encoding: 'protobuf', deadlineMs: 150_000 });
    const total = 6000;
    const sending = sendPaced(sender, RUN, 0, total, 4000);
    const during = await waitFor(svc, 'the disk to fill (drops counted)', (x) => droppedBy(x, 'spool_error') + droppedBy(x, 'spool_full') > 0, 60_000);
    // Some requests still fit while the disk fills: ready, or not ready naming the full spool.
    const health = await svc.healthz();
    expect(health.status === 200 || (health.status === 503 && /spool_(full|error) \d+/.test(health.body)), health.body).toBe(true);
    await lock.release();
    await sending;
    await waitFor(svc, 'the spool to be replayed', (x) => x.spooled.pendingBatches === 0 && x.queue.rows === 0, 90_000);
    const after = await metricsOf(svc);
    await svc.stop();
    const stored = await storedSpanIdCounts(svc.dataDir);
    const sent = new Set(makeSpans(RUN, 0, total).map((s) => s.spanContext().spanId));
    const report = compareDelivery(sender.acknowledged, sent, stored);
    console.log(
      `[reliability] spool on a full 1 MB tmpfs: sent ${total}, answers ${JSON.stringify(Object.fromEntries(sender.statuses))}, spooled batches ${after.spooled.batches}, ` +
        `dropped and counted ${after.droppedTotal}, acknowledged ${report.acknowledged}, stored ${report.stored}, lost ${report.lost.length}, duplicated ${report.duplicated.length}; ` +
        `log says: ${(svc.output().match(/.*(ENOSPC|no space).*/i)?.[0] ?? '(no ENOSPC line)').slice(0, 300)}`,
    );
    expect(droppedBy(during, 'spool_error') + droppedBy(during, 'spool_full')).toBeGreaterThan(0);
    expect(report.acknowledged).toBe(total);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.stored).toBe(total);
    expect(svc.output()).toMatch(/ENOSPC|no space/i);
  }, 240_000);
});
