/**
 * How durable offers are cut into inserts (BatchQueue's group commit), into real chDB tables: a count-triggered cut
 * sends whole batches and keeps the overflow for the next one, and a timed cut that comes due while inserts are in
 * flight waits for them and sends what arrived meanwhile as one batch per table. Each insert costs the engine a
 * fixed 30-110 ms whatever its size, so these two rules are what keep a loaded service's inserts few and large.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BatchQueue } from '../exporter/queue/batch-queue';
import { BatchWriter } from '../exporter/queue/batch-writer';
import { newPipelineStats } from '../exporter/queue/pipeline-stats';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import type { InsertOptions, InsertResult, RowWriter } from '../exporter/sinks/row-writer';
import type { TableName } from '../exporter/rows/table-registry';
import { waitUntil } from './helpers/wait-until';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-group-commit-'));
let sink: EmbeddedSink;

beforeAll(async () => {
  sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
  for (const table of ['access_log', 'auth_events']) await sink.command(`CREATE TABLE ${table} (id String) ENGINE = MergeTree ORDER BY id`);
});

afterAll(async () => {
  await sink.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** Passes inserts to the real sink, each held until the test opens the gate; records what each insert held. */
class GatedWriter implements RowWriter {
  readonly kind = 'gated';
  readonly calls: string[] = [];
  private readonly held: Array<() => void> = [];

  async insert(table: string, rows: ReadonlyArray<object>, options: InsertOptions): Promise<InsertResult> {
    this.calls.push(`${table}:${rows.length}`);
    await new Promise<void>((release) => this.held.push(release));
    return sink.insert(table, rows, options);
  }

  get waiting(): number {
    return this.held.length;
  }

  /** Lets the oldest held insert go on to the engine. */
  releaseOne(): void {
    this.held.shift()!();
  }

  async close(): Promise<void> {}
}

let prefix = 0;
function rows(table: TableName, count: number): Array<{ table: TableName; row: object }> {
  const tag = `r${++prefix}`;
  return Array.from({ length: count }, (_, i) => ({ table, row: { id: `${tag}-${i}` } }));
}

function queueOver(writer: RowWriter) {
  const stats = newPipelineStats();
  const batchWriter = new BatchWriter({ sink: writer, probeIntervalMs: 100, retry: { maxAttempts: 1, initialDelayMs: 10, maxDelayMs: 10, deadlineMs: 1_000 } }, stats);
  const queue = new BatchQueue({ flushCount: 1000, flushIntervalMs: 60_000, maxQueueRows: 100_000, maxQueueBytes: 1 << 26, durableFlushMs: 20 }, batchWriter, stats);
  return { queue, stats };
}

async function stored(table: string): Promise<number> {
  const [row] = await sink.query<{ c: string }>(`SELECT count() AS c FROM ${table}`);
  return Number(row!.c);
}

it('sends a count-triggered cut as whole batches and keeps the overflow, whose request waits for it', async () => {
  const writer = new GatedWriter();
  const { queue, stats } = queueOver(writer);
  const resolved: string[] = [];
  const offer = (name: string, count: number) => {
    const result = queue.offerDurable(rows('access_log', count));
    if (result === 'full') throw new Error('queue full');
    return result.then((durable) => {
      resolved.push(name);
      return durable;
    });
  };
  // 600 + 600 rows at flushCount 1000: A's 600 and B's first 400 go at once, B's last 200 stay behind.
  const a = offer('A', 600);
  const b = offer('B', 600);
  await waitUntil(() => writer.waiting === 1, 5_000, 'the count-triggered cut');
  expect(writer.calls).toEqual(['access_log:1000']);

  writer.releaseOne();
  await expect(a).resolves.toBe(true);
  // A's rows are all in; B still has 200 rows to go, which the timed cut sends as soon as nothing is in flight.
  expect(resolved).toEqual(['A']);
  await waitUntil(() => writer.waiting === 1, 5_000, 'the overflow to be cut');
  expect(writer.calls).toEqual(['access_log:1000', 'access_log:200']);
  writer.releaseOne();
  await expect(b).resolves.toBe(true);
  expect(stats.inserted.access_log).toBe(1200);
  expect(await stored('access_log')).toBe(1200);
  await queue.shutdown();
});

it('holds a timed cut that comes due during an insert until it is done, then sends what arrived as one batch per table', async () => {
  const writer = new GatedWriter();
  const { queue, stats } = queueOver(writer);
  const before = { access: await stored('access_log'), auth: await stored('auth_events') };
  const first = queue.offerDurable([...rows('access_log', 1000), ...rows('auth_events', 5)]);
  if (first === 'full') throw new Error('queue full');
  await waitUntil(() => writer.waiting === 1, 5_000, 'the count-triggered cut');
  expect(writer.calls).toEqual(['access_log:1000']);
  // Five more requests arrive while that insert runs; their timer (20 ms) comes due and waits for the insert.
  const later: Array<Promise<boolean>> = [];
  for (let i = 0; i < 5; i++) {
    const result = queue.offerDurable([...rows('access_log', 100), ...rows('auth_events', 3)]);
    if (result === 'full') throw new Error('queue full');
    later.push(result);
  }
  await waitUntil(() => (queue as unknown as { waitingForInFlight: boolean }).waitingForInFlight, 5_000, 'the timed cut to come due');
  expect(writer.calls).toEqual(['access_log:1000']);

  writer.releaseOne();
  // Then one insert per table: the first request's 5 auth rows with the five later requests' rows.
  await waitUntil(() => writer.waiting === 2, 5_000, 'the held cut');
  expect([...writer.calls].sort()).toEqual(['access_log:1000', 'access_log:500', 'auth_events:20']);
  writer.releaseOne();
  writer.releaseOne();
  await expect(first).resolves.toBe(true);
  await expect(Promise.all(later)).resolves.toEqual([true, true, true, true, true]);
  expect(stats.inserted.access_log).toBe(1500);
  expect(stats.inserted.auth_events).toBe(20);
  expect(await stored('access_log')).toBe(before.access + 1500);
  expect(await stored('auth_events')).toBe(before.auth + 20);
  await queue.shutdown();
});

it('cuts at once when nothing is in flight, so a lone request waits only for the group-commit window', async () => {
  const writer = new GatedWriter();
  const { queue } = queueOver(writer);
  const result = queue.offerDurable(rows('auth_events', 7));
  if (result === 'full') throw new Error('queue full');
  await waitUntil(() => writer.waiting === 1, 5_000, 'the timed cut');
  expect(writer.calls).toEqual(['auth_events:7']);
  writer.releaseOne();
  await expect(result).resolves.toBe(true);
  await queue.shutdown();
});
