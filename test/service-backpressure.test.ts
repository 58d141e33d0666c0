/**
 * A full export queue answers 429 with Retry-After instead of dropping, and a sender that retries as the OTLP spec
 * asks gets every span stored exactly once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSpanExporter } from '../exporter/clickhouse-span-exporter';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import { loadConfig } from '../exporter/config';
import { OtlpSender, encodeSpans, makeSpans, post } from './helpers/otlp-sender';
import { waitUntil } from './helpers/wait-until';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-svc-429-'));
let service: OtlpService;

beforeAll(async () => {
  const config = loadConfig({
    env: {},
    overrides: {
      // 60 rows fit; rows wait for their group commit (1 s below), so concurrent requests really fill the queue.
      exporter: { dataDir: path.join(root, 'data'), maxQueueRows: 60, flushCount: 1_000_000, flushIntervalMs: 1000 },
      service: { port: 0, retryAfterSeconds: 1 },
    },
  });
  const exporter = new ClickHouseSpanExporter({ config: config.exporter, durableFlushMs: 1000 });
  service = await startOtlpService({ config, exporter });
});

afterAll(async () => {
  await service?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function storedSpanIds(): Promise<string[]> {
  await service.exporter.forceFlush();
  const rows = await service.exporter.sink.query<{ span_id: string }>(
    'SELECT span_id FROM access_log UNION ALL SELECT span_id FROM auth_events UNION ALL SELECT span_id FROM external_calls',
  );
  return rows.map((r) => r.span_id).sort();
}

describe('backpressure', () => {
  it('answers 429 with Retry-After once the queue holds maxQueueRows, and queues nothing of that request', async () => {
    const url = `${service.url}/v1/traces`;
    const send = (i: number) => post(url, encodeSpans(makeSpans(1, i * 30, 30), 'protobuf'), { contentType: 'application/x-protobuf' });
    // Two requests fill the queue while they wait for their group commit; the third finds it full.
    const first = [send(0), send(1)];
    await waitUntil(() => service.metrics().queue.rows === 60, 10_000, '60 rows in the queue', 5);
    const third = await send(2);
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('1');
    expect(service.metrics().queue.rows).toBe(60);
    expect((await Promise.all(first)).map((a) => a.status)).toEqual([200, 200]);
    expect(await storedSpanIds()).toHaveLength(60);
  });

  it('loses nothing when a sender retries after 429: every span of 12 concurrent requests stored once', async () => {
    const sender = new OtlpSender({ url: `${service.url}/v1/traces`, encoding: 'json', deadlineMs: 60_000 });
    const batches = Array.from({ length: 12 }, (_, i) => makeSpans(2, i * 20, 20));
    const outcomes = await Promise.all(batches.map((spans) => sender.send(spans)));
    expect(outcomes.map((o) => o.status)).toEqual(Array(12).fill(200));
    expect(sender.statuses.get(429)).toBeGreaterThan(0);
    expect(sender.acknowledged.size).toBe(240);
    expect(sender.failed.size).toBe(0);
    const stored = await storedSpanIds();
    expect(stored).toHaveLength(60 + 240);
    expect(new Set(stored).size).toBe(300);
    for (const id of sender.acknowledged) expect(stored).toContain(id);
    const metrics = service.metrics();
    expect(metrics.refusedRequests).toBe(1 + (sender.statuses.get(429) ?? 0));
    expect(metrics.droppedTotal).toBe(0);
  });

  it('close() stops accepting, answers the requests waiting for their commit with 200 after inserting them, and closes', async () => {
    const url = `${service.url}/v1/traces`;
    const pending = [0, 1].map((i) => post(url, encodeSpans(makeSpans(4, i * 25, 25), 'json'), { contentType: 'application/json' }));
    await waitUntil(() => service.metrics().queue.rows === 50, 10_000, '50 rows in the queue', 5);
    const insertedBefore = Object.values(service.metrics().inserted).reduce((a, b) => a + b, 0);
    await service.close();
    expect((await Promise.all(pending)).map((a) => a.status)).toEqual([200, 200]);
    const metrics = service.metrics();
    expect(Object.values(metrics.inserted).reduce((a, b) => a + b, 0) - insertedBefore).toBe(50);
    expect(metrics.queue.rows).toBe(0);
    expect((await post(url, encodeSpans(makeSpans(4, 100, 1), 'json'), { contentType: 'application/json' })).status).toBe(0);
  });
});
