/**
 * Transport behaviour of HttpSink + BatchQueue against a real clickhouse-server (Debian's 18.16) on loopback:
 * delivery, auth failure, SIGKILL mid-load, spool and replay (also from a fresh pipeline over the same spool dir),
 * and a flood past the queue cap.
 *
 * 18.16 knows neither insert_deduplication_token nor query parameters, so idempotence here comes from the table:
 * ReplacingMergeTree ORDER BY id, read with FINAL. A retried batch that the server had already stored collapses to
 * one row per id. (On modern servers HttpSink sends the token as well.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchQueue, type QueuedRow } from '../exporter/queue/batch-queue';
import { BatchWriter } from '../exporter/queue/batch-writer';
import { newPipelineStats, type PipelineStats } from '../exporter/queue/pipeline-stats';
import type { RetryPolicy } from '../exporter/queue/retry';
import { Spool } from '../exporter/queue/spool';
import type { TableName } from '../exporter/rows/table-registry';
import { HttpSink } from '../exporter/sinks/http-sink';
import type { InsertResult, Sink } from '../exporter/sinks/sink';
import { createClickHouseServer, type TestClickHouseServer } from './helpers/clickhouse-server';
import { waitUntil } from './helpers/wait-until';

let server: TestClickHouseServer;
let admin: HttpSink;
let dbSeq = 0;
const tmpDirs: string[] = [];

beforeAll(async () => {
  server = await createClickHouseServer();
  await server.start();
  admin = new HttpSink({ url: server.url, user: server.user, password: server.password, database: 'default', compression: false });
});

afterAll(async () => {
  await admin?.close();
  await server?.dispose();
  for (const dir of tmpDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh database with the two tables these tests write, shaped for 18.16 (no DateTime64, Map or LowCardinality). */
async function freshDatabase(): Promise<string> {
  const db = `transport_${process.pid}_${++dbSeq}`;
  await admin.command(`CREATE DATABASE ${db}`);
  for (const table of ['access_log', 'auth_events']) {
    await admin.command(
      `CREATE TABLE ${db}.${table} (id String, timestamp DateTime, user_id String, n UInt32) ENGINE = ReplacingMergeTree ORDER BY id`,
    );
  }
  return db;
}

function sinkFor(db: string, password = server.password): HttpSink {
  return new HttpSink({ url: server.url, user: server.user, password, database: db, compression: true, requestTimeoutMs: 5_000 });
}

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-spool-'));
  tmpDirs.push(dir);
  return dir;
}

/** Counts INSERT calls on a real sink (the inserts themselves still go to the server). */
interface InsertCall {
  table: string;
  rows: number;
  token: string;
  /** Date.now() when the insert was called. */
  at: number;
}

function countingSink(sink: Sink): Sink & { inserts: InsertCall[] } {
  const inserts: InsertCall[] = [];
  return {
    kind: sink.kind,
    inserts,
    insert: (table, rows, options): Promise<InsertResult> => {
      inserts.push({ table, rows: rows.length, token: options.dedupToken, at: Date.now() });
      return sink.insert(table, rows, options);
    },
    query: (sql, params) => sink.query(sql, params),
    command: (sql, params) => sink.command(sql, params),
    close: () => sink.close(),
  };
}

interface Pipeline {
  queue: BatchQueue;
  writer: BatchWriter;
  stats: PipelineStats;
  spool: Spool | undefined;
}

function pipeline(
  sink: Sink,
  options: { flushCount?: number; flushIntervalMs?: number; maxQueueRows?: number; maxQueueBytes?: number; retry?: Partial<RetryPolicy>; spoolDir?: string; probeIntervalMs?: number } = {},
): Pipeline {
  const stats = newPipelineStats();
  const spool = options.spoolDir ? new Spool({ dir: options.spoolDir, maxBytes: 100 * 1024 * 1024 }, stats) : undefined;
  const writer = new BatchWriter(
    {
      sink,
      spool,
      probeIntervalMs: options.probeIntervalMs ?? 100,
      retry: { maxAttempts: 5, initialDelayMs: 20, maxDelayMs: 200, deadlineMs: 5_000, ...options.retry },
    },
    stats,
  );
  const queue = new BatchQueue(
    {
      flushCount: options.flushCount ?? 100,
      flushIntervalMs: options.flushIntervalMs ?? 20,
      maxQueueRows: options.maxQueueRows ?? 100_000,
      maxQueueBytes: options.maxQueueBytes ?? 64 * 1024 * 1024,
    },
    writer,
    stats,
  );
  return { queue, writer, stats, spool };
}

function rows(table: TableName, prefix: string, from: number, count: number): QueuedRow[] {
  return Array.from({ length: count }, (_, i) => ({
    table,
    row: { id: `${prefix}-${from + i}`, timestamp: '2026-11-23 08:00:00', user_id: `u${(from + i) % 7}`, n: from + i },
  }));
}

async function storedIds(db: string, table: string): Promise<string[]> {
  const result = await admin.query<{ id: string }>(`SELECT id FROM ${db}.${table} FINAL ORDER BY id`);
  return result.map((r) => r.id);
}

async function countFinal(db: string, table: string): Promise<number> {
  const [row] = await admin.query<{ c: string }>(`SELECT count() AS c FROM ${db}.${table} FINAL`);
  return Number(row!.c);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('HttpSink against clickhouse-server 18.16', () => {
  it('delivers rows in one INSERT per table per batch, flushing at flushCount rows or after flushIntervalMs', async () => {
    const db = await freshDatabase();
    const sink = countingSink(sinkFor(db));
    const interval = 1_000;
    const { queue, stats } = pipeline(sink, { flushCount: 250, flushIntervalMs: interval });

    const enqueuedAt = Date.now();
    queue.enqueue([...rows('access_log', 'a', 0, 600), ...rows('auth_events', 'l', 0, 30)]);
    // 600 rows at flushCount 250: two full batches leave at once, the remaining 100 + 30 wait for the timer.
    await waitUntil(() => stats.inserted.access_log === 600 && stats.inserted.auth_events === 30, 5_000, 'all rows');
    const calls = sink.inserts.map((i) => ({ batch: `${i.table}:${i.rows}`, byTimer: i.at - enqueuedAt >= interval }));
    expect(calls).toEqual([
      { batch: 'access_log:250', byTimer: false },
      { batch: 'access_log:250', byTimer: false },
      { batch: 'access_log:100', byTimer: true },
      { batch: 'auth_events:30', byTimer: true },
    ]);
    expect(new Set(sink.inserts.map((i) => i.token)).size).toBe(4);

    await queue.shutdown();
    expect(await countFinal(db, 'access_log')).toBe(600);
    expect(await countFinal(db, 'auth_events')).toBe(30);
    const [sum] = await admin.query<{ s: string }>(`SELECT sum(n) AS s FROM ${db}.access_log`);
    expect(Number(sum!.s)).toBe((599 * 600) / 2);
    expect(stats.queueRows).toBe(0);
    expect(stats.queueBytes).toBe(0);
    await sink.close();
  });

  it('reports a wrong password clearly, as non-retryable, and does not retry it', async () => {
    const db = await freshDatabase();
    const bad = countingSink(sinkFor(db, 'not-the-password'));
    const result = await bad.insert('access_log', rows('access_log', 'x', 0, 3).map((r) => r.row), { dedupToken: 't1' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.retryable).toBe(false);
    expect(result.error.name).toBe('ClickHouseAuthError');
    expect(result.error.message).toMatch(/^ClickHouse rejected user writer: .*Wrong password for user writer.*\(code 193\)/s);
    expect((result.error as unknown as { code: number }).code).toBe(193);

    // Through the pipeline: one attempt, no retry loop; the batch is kept in the spool for after the fix.
    const spoolDir = tmpDir();
    const { queue, stats, spool } = pipeline(bad, { spoolDir, probeIntervalMs: 60_000, retry: { maxAttempts: 10 } });
    queue.enqueue(rows('access_log', 'x', 0, 5));
    await queue.forceFlush();
    expect(bad.inserts.length).toBe(2); // the direct insert above, and exactly one from the pipeline
    expect(stats.retries).toBe(0);
    expect(stats.lastInsertError).toMatch(/^ClickHouse rejected user writer: /);
    expect(spool!.pendingBatches).toBe(1);
    expect(stats.spooledBatches).toBe(1);
    await queue.shutdown();
    await bad.close();
  });

  it('loses and doubles nothing when the server is SIGKILLed mid-load and restarted', async () => {
    const db = await freshDatabase();
    const sink = sinkFor(db);
    const { queue, stats } = pipeline(sink, {
      flushCount: 200,
      flushIntervalMs: 10,
      spoolDir: tmpDir(),
      probeIntervalMs: 100,
      // A short deadline so the one-second outage exercises both paths: batches retried across it, and batches spooled.
      retry: { maxAttempts: 30, initialDelayMs: 50, maxDelayMs: 200, deadlineMs: 500 },
    });
    const total = 6_000;
    const chunk = 100;
    for (let i = 0; i < total; i += chunk) {
      expect(queue.enqueue(rows('access_log', 'k', i, chunk))).toBe(chunk);
      if (i === 2_000) await server.kill();
      if (i === 3_000) await sleep(1_000);
      if (i === 4_000) await server.start();
      await sleep(5);
    }
    await queue.forceFlush();
    await waitUntil(() => stats.spoolPendingBatches === 0, 15_000, 'the spool to drain');
    await queue.shutdown();

    const ids = await storedIds(db, 'access_log');
    const expected = Array.from({ length: total }, (_, i) => `k-${i}`).sort();
    expect(ids).toEqual(expected);
    expect(stats.inserted.access_log).toBe(total);
    expect(Object.values(stats.dropped.access_log).reduce((a, b) => a + b, 0)).toBe(0);
    // The outage was seen: retries and the spool both carried rows across it.
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.spooledBatches).toBeGreaterThan(0);
    expect(stats.replayedBatches).toBe(stats.spooledBatches);
    await sink.close();
  });

  it('spools batches to disk while the server is down and replays them in order once it is back', async () => {
    const db = await freshDatabase();
    const spoolDir = tmpDir();
    const sink = countingSink(sinkFor(db));
    let attemptsBefore = 0;
    const { queue, stats, spool } = pipeline(sink, {
      flushCount: 100,
      spoolDir,
      probeIntervalMs: 100,
      retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
    });
    await server.kill();
    try {
      for (let i = 0; i < 1_000; i += 100) queue.enqueue(rows('access_log', 's', i, 100));
      await queue.forceFlush();
      expect(spool!.pendingBatches).toBe(10);
      const files = fs.readdirSync(spoolDir).filter((f) => f.endsWith('.ndjson'));
      expect(files.length).toBe(10);
      expect(files.every((f) => f.endsWith('-access_log.ndjson'))).toBe(true);
      expect(fs.readdirSync(spoolDir).some((f) => f.endsWith('.tmp'))).toBe(false);
      const first = fs.readFileSync(path.join(spoolDir, files.sort()[0]!), 'utf8').trim().split('\n');
      expect(first.length).toBe(101);
      expect(JSON.parse(first[1]!).id).toBe('s-0');
      expect(stats.dropped.access_log.sink_down).toBe(0);
    } finally {
      attemptsBefore = sink.inserts.length;
      await server.start();
    }
    await waitUntil(() => stats.spoolPendingBatches === 0, 10_000, 'the spool to drain');
    // Replay order is write order: batches come back s-0…, s-100…, …
    const replayed = sink.inserts.slice(attemptsBefore).filter((i) => i.rows === 100);
    expect(replayed.length).toBeGreaterThanOrEqual(10);
    const seqs = replayed.map((i) => Number(i.token.split('-')[1]));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(10);
    expect(await countFinal(db, 'access_log')).toBe(1_000);
    expect(stats.replayedBatches).toBe(10);
    expect(fs.readdirSync(spoolDir).filter((f) => f.endsWith('.ndjson'))).toEqual([]);
    await queue.shutdown();
    await sink.close();
  });

  it('replays a spool left by a previous process when a fresh pipeline starts over the same directory', async () => {
    const db = await freshDatabase();
    const spoolDir = tmpDir();
    await server.kill();
    // A generous retry policy: shutdown must still not wait it out, but give each batch one attempt and spool it.
    const first = pipeline(sinkFor(db), { spoolDir, probeIntervalMs: 100, retry: { maxAttempts: 30, initialDelayMs: 500, maxDelayMs: 5_000, deadlineMs: 60_000 } });
    first.queue.enqueue([...rows('access_log', 'p', 0, 250), ...rows('auth_events', 'q', 0, 40)]);
    const shutdownStarted = Date.now();
    await first.queue.shutdown();
    expect(Date.now() - shutdownStarted).toBeLessThan(2_000);
    expect(first.stats.retries).toBe(0);
    expect(first.stats.spoolPendingBatches).toBe(4); // access 100+100+50, auth 40
    expect(first.stats.inserted.access_log).toBe(0);
    const firstTokens = fs
      .readdirSync(spoolDir)
      .filter((f) => f.endsWith('.ndjson'))
      .map((f) => (JSON.parse(fs.readFileSync(path.join(spoolDir, f), 'utf8').split('\n')[0]!) as { dedupToken: string }).dedupToken);
    expect(firstTokens.length).toBe(4);

    await server.start();
    const sink = countingSink(sinkFor(db));
    const second = pipeline(sink, { spoolDir, probeIntervalMs: 100 });
    await second.writer.start();
    expect(second.spool!.pendingBatches).toBe(4);
    await waitUntil(() => second.stats.spoolPendingBatches === 0, 10_000, 'the restarted pipeline to replay the spool');
    // In write order per table, with the dedup tokens the first process gave them.
    expect(sink.inserts.filter((i) => i.table === 'access_log').map((i) => i.rows)).toEqual([100, 100, 50]);
    expect(sink.inserts.filter((i) => i.table === 'auth_events').map((i) => i.rows)).toEqual([40]);
    expect(sink.inserts.map((i) => i.token).sort()).toEqual(firstTokens.sort());
    expect(await countFinal(db, 'access_log')).toBe(250);
    expect(await countFinal(db, 'auth_events')).toBe(40);
    expect(second.stats.inserted).toEqual({ access_log: 250, auth_events: 40, external_calls: 0, activities: 0 });
    await second.queue.shutdown();
    await sink.close();
  });

  it('keeps memory bounded under a flood past the row cap, drops access rows first, and keeps every auth row', async () => {
    const db = await freshDatabase();
    const sink = sinkFor(db);
    const cap = 2_000;
    // flushCount above the cap: nothing leaves during the synchronous flood, so the cap alone decides what stays.
    const { queue, stats } = pipeline(sink, { flushCount: 5_000, flushIntervalMs: 50, maxQueueRows: cap });
    let maxQueued = 0;
    let auth = 0;
    for (let i = 0; i < 20_000; i++) {
      if (i % 40 === 0) queue.enqueue(rows('auth_events', 'auth', auth++, 1));
      queue.enqueue(rows('access_log', 'flood', i, 1));
      maxQueued = Math.max(maxQueued, stats.queueRows);
    }
    expect(auth).toBe(500);
    expect(maxQueued).toBe(cap);
    expect(stats.dropped.auth_events.queue_full).toBe(0);
    expect(stats.dropped.access_log.queue_full).toBe(20_000 - (cap - 500));
    await queue.shutdown();
    expect(await countFinal(db, 'auth_events')).toBe(500);
    expect(await countFinal(db, 'access_log')).toBe(cap - 500);
    await sink.close();
  });

  it('answers full instead of dropping when a caller can push back, and caps bytes as well as rows', async () => {
    const db = await freshDatabase();
    const sink = sinkFor(db);
    const { queue, stats } = pipeline(sink, { flushCount: 10_000, flushIntervalMs: 60_000, maxQueueRows: 1_000, maxQueueBytes: 20_000 });
    let accepted = 0;
    while (queue.offer(rows('access_log', 'o', accepted, 10)) === 'accepted') accepted += 10;
    expect(stats.queueBytes).toBeLessThanOrEqual(20_000);
    expect(queue.hasCapacity(10, 20_000 - stats.queueBytes + 1)).toBe(false);
    expect(stats.dropped.access_log.queue_full).toBe(0);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(1_000); // the byte cap bit first
    await queue.shutdown();
    expect(await countFinal(db, 'access_log')).toBe(accepted);
    expect(queue.offer(rows('access_log', 'late', 0, 1))).toBe('full');
    await sink.close();
  });
  it('resolves a durable offer only once its rows are stored, sharing one INSERT among concurrent offers', async () => {
    const db = await freshDatabase();
    const sink = countingSink(sinkFor(db));
    // flushIntervalMs far away: only the group-commit window (durableFlushMs) can be what flushes.
    const { queue, stats } = pipeline(sink, { flushCount: 10_000, flushIntervalMs: 60_000 });
    const started = Date.now();
    const offers = Array.from({ length: 10 }, (_, k) => queue.offerDurable(rows('auth_events', 'd', k * 5, 5)));
    expect(offers.every((o) => o !== 'full')).toBe(true);
    expect(await Promise.all(offers)).toEqual(Array(10).fill(true));
    expect(Date.now() - started).toBeLessThan(2_000);
    // Already in the server when the offers resolved: no forceFlush needed.
    expect(await countFinal(db, 'auth_events')).toBe(50);
    expect(sink.inserts.map((i) => `${i.table}:${i.rows}`)).toEqual(['auth_events:50']);
    expect(stats.queueRows).toBe(0);
    await queue.shutdown();
    await sink.close();
  });

  it('resolves a durable offer once spooled while the server is down, and false when even the spool cannot take it', async () => {
    const db = await freshDatabase();
    const spoolDir = tmpDir();
    const { queue, spool } = pipeline(sinkFor(db), { spoolDir, probeIntervalMs: 60_000, flushIntervalMs: 60_000, retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 } });
    const notADir = path.join(tmpDir(), 'file');
    fs.writeFileSync(notADir, 'x');
    const { queue: queueNoDisk, stats: statsNoDisk } = pipeline(sinkFor(db), { spoolDir: path.join(notADir, 'spool'), flushIntervalMs: 60_000, retry: { maxAttempts: 1 } });
    await server.kill();
    try {
      const offered = queue.offerDurable([...rows('access_log', 'w', 0, 7), ...rows('auth_events', 'v', 0, 3)]);
      expect(offered).not.toBe('full');
      expect(await offered).toBe(true);
      expect(spool!.pendingBatches).toBe(2);
      const onDisk = fs.readdirSync(spoolDir).filter((f) => f.endsWith('.ndjson')).map((f) => f.replace(/^\d+-/, ''));
      expect(onDisk.sort()).toEqual(['access_log.ndjson', 'auth_events.ndjson']);

      expect(await queueNoDisk.offerDurable(rows('auth_events', 'z', 0, 4))).toBe(false);
      expect(statsNoDisk.dropped.auth_events.spool_error).toBe(4);
    } finally {
      await server.start();
    }
    await queue.shutdown();
    await queueNoDisk.shutdown();
    expect(await countFinal(db, 'access_log')).toBe(7);
    expect(await countFinal(db, 'auth_events')).toBe(3);
  });
});
