/**
 * The spool's disk behaviour (atomic files, order across instances, caps, unusable directories, corrupt files) and
 * the retry wrapper's backoff, against real files and a real refused TCP connection.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DiagLogLevel, diag, type DiagLogger } from '@opentelemetry/api';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newPipelineStats } from '../exporter/queue/pipeline-stats';
import { backoffDelay, insertWithRetry } from '../exporter/queue/retry';
import { Spool } from '../exporter/queue/spool';
import { HttpSink } from '../exporter/sinks/http-sink';
import { freePort } from './helpers/free-port';

const dirs: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-spool-unit-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

let errors: string[] = [];
beforeEach(() => {
  errors = [];
  const logger: DiagLogger = {
    error: (m: string) => void errors.push(m),
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  };
  diag.setLogger(logger, DiagLogLevel.WARN);
});
afterEach(() => diag.disable());

const batch = (table: string, from: number, count: number) => ({
  table,
  dedupToken: `tok-${table}-${from}`,
  rows: Array.from({ length: count }, (_, i) => ({ id: `r${from + i}`, note: 'line\nbreak "quoted"' })),
});

describe('Spool', () => {
  it('writes one NDJSON file per batch and reads them back oldest first, also from a new instance', async () => {
    const dir = tmpDir();
    const first = new Spool({ dir, maxBytes: 1_000_000 }, newPipelineStats());
    expect(await first.write(batch('access_log', 0, 3))).toBe(true);
    expect(await first.write(batch('auth_events', 10, 2))).toBe(true);

    const stats = newPipelineStats();
    const second = new Spool({ dir, maxBytes: 1_000_000 }, stats);
    await second.open();
    expect(second.pendingBatches).toBe(2);
    expect(stats.spoolPendingBytes).toBe(fs.readdirSync(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0));
    expect(await second.write(batch('access_log', 20, 1))).toBe(true);

    const seen: string[] = [];
    for (let next = await second.oldest(); next; next = await second.oldest()) {
      seen.push(`${next.batch.table}:${next.batch.dedupToken}:${next.batch.rows.length}`);
      await second.remove(next.name);
    }
    expect(seen).toEqual(['access_log:tok-access_log-0:3', 'auth_events:tok-auth_events-10:2', 'access_log:tok-access_log-20:1']);
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(stats.spoolPendingBatches).toBe(0);
  });

  it('keeps row values intact through the file, newlines and quotes included', async () => {
    const spool = new Spool({ dir: tmpDir(), maxBytes: 1_000_000 }, newPipelineStats());
    await spool.write(batch('activities', 0, 2));
    const next = await spool.oldest();
    expect(next?.batch.rows).toEqual([
      { id: 'r0', note: 'line\nbreak "quoted"' },
      { id: 'r1', note: 'line\nbreak "quoted"' },
    ]);
  });

  it('drops and counts a batch that would pass spoolMaxBytes', async () => {
    const stats = newPipelineStats();
    const spool = new Spool({ dir: tmpDir(), maxBytes: 400 }, stats);
    expect(await spool.write(batch('access_log', 0, 3))).toBe(true);
    expect(await spool.write(batch('access_log', 3, 5))).toBe(false);
    expect(stats.dropped.access_log.spool_full).toBe(5);
    expect(spool.pendingBatches).toBe(1);
    expect(errors.length).toBe(1);
    expect(errors[0]).toMatch(/spool .* is full .*OTEL_ACTIVITY_SPOOL_MAX_BYTES/);
  });

  it('reports an unusable spool directory through diag, counts the drop, and never throws', async () => {
    const parent = tmpDir();
    const file = path.join(parent, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    const stats = newPipelineStats();
    const spool = new Spool({ dir: path.join(file, 'spool'), maxBytes: 1_000_000 }, stats);
    expect(await spool.open()).toBe(false);
    expect(await spool.write(batch('auth_events', 0, 4))).toBe(false);
    expect(await spool.write(batch('auth_events', 4, 2))).toBe(false);
    expect(stats.dropped.auth_events.spool_error).toBe(6);
    expect(errors.length).toBe(1);
    expect(errors[0]).toContain(`the spool directory ${path.join(file, 'spool')} is not usable (ENOTDIR`);
    expect(errors[0]).toContain('OTEL_ACTIVITY_SPOOL_DIR');
  });

  it('removes half-written .tmp files on open and moves corrupt files to rejected/ instead of blocking replay', async () => {
    const dir = tmpDir();
    const writer = new Spool({ dir, maxBytes: 1_000_000 }, newPipelineStats());
    await writer.write(batch('access_log', 0, 2));
    await writer.write(batch('access_log', 2, 2));
    const [firstName] = fs.readdirSync(dir).sort();
    fs.writeFileSync(path.join(dir, firstName!), '{"v":1,"table":"access_log","dedupToken":"t","rows":2}\n{"id":"r0"}\n{"id":');
    fs.writeFileSync(path.join(dir, '9999999999999999-access_log.ndjson.tmp'), 'partial');

    const reader = new Spool({ dir, maxBytes: 1_000_000 }, newPipelineStats());
    await reader.open();
    expect(fs.readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);
    const next = await reader.oldest();
    expect(next?.batch.dedupToken).toBe('tok-access_log-2');
    expect(fs.readdirSync(path.join(dir, 'rejected'))).toEqual([firstName]);
    expect(errors.some((e) => e.includes(`spool file ${path.join(dir, firstName!)} is unreadable`))).toBe(true);
  });
});

describe('insertWithRetry', () => {
  it('computes full-jitter backoff: uniform below min(max, initial·2^retry)', () => {
    expect(backoffDelay(0, 100, 10_000, () => 0.5)).toBe(50);
    expect(backoffDelay(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(backoffDelay(10, 100, 10_000, () => 0.5)).toBe(5_000);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(0);
    expect(backoffDelay(60, 100, 10_000, () => 0.9999)).toBe(9_999);
  });

  it('retries a refused connection up to maxAttempts with the same dedup token, then returns the retryable failure', async () => {
    const port = await freePort();
    const sink = new HttpSink({ url: `http://127.0.0.1:${port}`, user: 'u', password: 'p', database: 'default', compression: false });
    const retries: number[] = [];
    const waits: number[] = [];
    const outcome = await insertWithRetry(sink, 'access_log', [{ id: 'a' }], 'tok-1', { maxAttempts: 4, initialDelayMs: 10, maxDelayMs: 40, deadlineMs: 10_000 }, {
      onRetry: (attempt) => retries.push(attempt),
      random: () => 0.5,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(outcome.attempts).toBe(4);
    expect(retries).toEqual([2, 3, 4]);
    expect(waits).toEqual([5, 10, 20]);
    expect(outcome.result.ok).toBe(false);
    if (!outcome.result.ok) {
      expect(outcome.result.retryable).toBe(true);
      expect(outcome.result.error.message).toContain('ECONNREFUSED');
    }
    await sink.close();
  });

  it('stops at the deadline and when told to stop, without waiting', async () => {
    const port = await freePort();
    const sink = new HttpSink({ url: `http://127.0.0.1:${port}`, user: 'u', password: 'p', database: 'default', compression: false });
    const policy = { maxAttempts: 100, initialDelayMs: 1_000, maxDelayMs: 1_000, deadlineMs: 500 };
    // "Without waiting": neither call ever sleeps (a wall-clock bound would also measure the machine's load).
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(ms);
    const byDeadline = await insertWithRetry(sink, 'access_log', [{ id: 'a' }], 't', policy, { random: () => 0.9, sleep });
    expect(byDeadline.attempts).toBe(1);
    const byStop = await insertWithRetry(sink, 'access_log', [{ id: 'a' }], 't', { ...policy, deadlineMs: 60_000 }, { shouldStop: () => true, sleep });
    expect(byStop.attempts).toBe(1);
    expect(slept).toEqual([]);
    await sink.close();
  });
});
