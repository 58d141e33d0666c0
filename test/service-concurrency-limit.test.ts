/**
 * More OTLP requests in progress (decoded, waiting for their commit) than maxConcurrentRequests: the extra one is
 * answered 429 with Retry-After, the one in progress finishes normally, and a retry once there is room is stored.
 * A sender whose body is still arriving does not count (fuzz-otlp-endpoint.test.ts stalls sockets).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSpanExporter } from '../exporter/clickhouse-span-exporter';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import { loadConfig } from '../exporter/config';
import { encodeSpans, makeSpans, post } from './helpers/otlp-sender';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-svc-concurrency-'));
let service: OtlpService;

beforeAll(async () => {
  const config = loadConfig({
    env: {},
    overrides: {
      exporter: { dataDir: path.join(root, 'data') },
      service: { port: 0, retryAfterSeconds: 3, maxConcurrentRequests: 1 },
    },
  });
  // A 1.5 s group commit keeps the first request in progress while the second arrives.
  service = await startOtlpService({ config, exporter: new ClickHouseSpanExporter({ config: config.exporter, durableFlushMs: 1500 }) });
});

afterAll(async () => {
  await service?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('maxConcurrentRequests', () => {
  it('answers 429 with Retry-After past the limit, finishes the request in progress, then accepts the retry', async () => {
    const url = `${service.url}/v1/traces`;
    await service.exporter.ready();
    const first = post(url, encodeSpans(makeSpans(7, 0, 20), 'protobuf'), { contentType: 'application/x-protobuf' });
    await new Promise((resolve) => setTimeout(resolve, 300)); // decoded and waiting for its commit by now
    const body = encodeSpans(makeSpans(7, 100, 20), 'protobuf');
    const refused = await post(url, body, { contentType: 'application/x-protobuf' });
    expect(refused.status).toBe(429);
    expect(refused.body.toString()).not.toBe('');
    expect(refused.headers['retry-after']).toBe('3');
    expect(service.metrics().responses['429']).toBeGreaterThanOrEqual(1);

    expect((await first).status).toBe(200);
    const retried = await post(url, body, { contentType: 'application/x-protobuf' });
    expect(retried.status).toBe(200);
    await service.exporter.forceFlush();
    const [row] = await service.exporter.sink.query<{ n: string | number }>(
      "SELECT (SELECT count() FROM access_log) + (SELECT count() FROM auth_events) + (SELECT count() FROM external_calls) AS n",
    );
    expect(Number(row!.n)).toBe(40);
  });
});
