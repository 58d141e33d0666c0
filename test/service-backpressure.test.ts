/**
 * A full export queue answers 429 with Retry-After instead of dropping, and a sender that retries as the OTLP spec
 * asks gets every span stored exactly once.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import { loadConfig } from '../sdk/config/config-loader';
import { OtlpSender, encodeSpans, makeSpans, post } from './helpers/otlp-sender';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-svc-429-'));
let service: OtlpService;

beforeAll(async () => {
  const config = loadConfig({
    env: {},
    overrides: {
      // 60 rows fit; batches are cut by the 1 s timer only, so the queue really fills between flushes.
      exporter: { dataDir: path.join(root, 'data'), maxQueueRows: 60, flushCount: 1_000_000, flushIntervalMs: 1000 },
      service: { port: 0, retryAfterSeconds: 1 },
    },
  });
  service = await startOtlpService({ config });
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
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(await post(url, encodeSpans(makeSpans(1, i * 30, 30), 'protobuf'), { contentType: 'application/x-protobuf' }));
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[2]!.headers['retry-after']).toBe('1');
    expect(service.metrics().queue.rows).toBe(60);
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
});
