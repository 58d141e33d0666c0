/**
 * Load shedding: while the service's event loop runs late (its thread saturated) or its JS memory is over the
 * limit, new OTLP requests are answered 429 with Retry-After before they are decoded, counted in /metrics; once the
 * thread is free again the same request is accepted and stored.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSpanExporter } from '../exporter/clickhouse-span-exporter';
import { startOverloadGuard } from '../exporter/service/overload-guard';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import { loadConfig } from '../exporter/config';
import { encodeSpans, makeSpans, post } from './helpers/otlp-sender';
import { waitUntil } from './helpers/wait-until';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-svc-shedding-'));
let service: OtlpService;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds this thread (the service's) busy `busyMs` out of every `busyMs + 5` ms, as a flood of decodes would. */
function saturate(busyMs: number): () => void {
  const timer = setInterval(() => {
    const until = performance.now() + busyMs;
    while (performance.now() < until);
  }, 5);
  return () => clearInterval(timer);
}

beforeAll(async () => {
  const config = loadConfig({
    env: { OTEL_ACTIVITY_MAX_EVENT_LOOP_DELAY_MS: '100' },
    overrides: { exporter: { dataDir: path.join(root, 'data') }, service: { port: 0, retryAfterSeconds: 4 } },
  });
  service = await startOtlpService({ config, exporter: new ClickHouseSpanExporter({ config: config.exporter }) });
  await service.exporter.ready();
});

afterAll(async () => {
  await service?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('load shedding', () => {
  it('answers 429 before decoding while the event loop is late, then accepts the retry once it is not', async () => {
    const url = `${service.url}/v1/traces`;
    const body = encodeSpans(makeSpans(11, 0, 25), 'protobuf');
    const release = saturate(150);
    let refused: Awaited<ReturnType<typeof post>>;
    try {
      await sleep(400);
      refused = await post(url, body, { contentType: 'application/x-protobuf' });
    } finally {
      release();
    }
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('4');
    expect(service.metrics().shedRequests).toBe(1);
    expect(service.metrics().spansReceived).toBe(0);

    // The retry a client makes after Retry-After: accepted once the loop is on time again. On a loaded machine other
    // processes can keep it late for a while, so the test retries as a client would instead of sleeping a fixed time.
    let accepted = 0;
    await waitUntil(async () => {
      await sleep(100);
      accepted = (await post(url, body, { contentType: 'application/x-protobuf' })).status;
      return accepted !== 429;
    }, 20_000, 'the retry to be accepted once the event loop is on time');
    expect(accepted).toBe(200);
    await service.exporter.forceFlush();
    const [row] = await service.exporter.sink.query<{ n: string | number }>(
      'SELECT (SELECT count() FROM access_log) + (SELECT count() FROM auth_events) + (SELECT count() FROM external_calls) AS n',
    );
    expect(Number(row!.n)).toBe(25);
  });

  it('reports the largest event-loop delay since the previous read in /metrics', async () => {
    service.metrics(); // resets the figure
    const until = performance.now() + 300;
    while (performance.now() < until);
    await sleep(150);
    // The guard's timer was due somewhere in the 300 ms block: it ran at least 300 - 100 (its period) ms late. The
    // upper bound only checks the unit (ms, not ns or µs): how much later it ran depends on the machine's load.
    const largest = service.metrics().eventLoopDelayMaxMs;
    expect(largest).toBeGreaterThanOrEqual(195);
    expect(largest).toBeLessThan(10_000);
    // That read reset the figure: no timer ran since, so the next read has no delay to report.
    expect(service.metrics().eventLoopDelayMaxMs).toBe(0);
  });

  it('refuses while the JS heap and buffers hold more than the memory limit, and says which limit', async () => {
    const guard = startOverloadGuard({ maxEventLoopDelayMs: 0, maxJsMemoryBytes: 1024 * 1024 });
    try {
      expect(guard.refuseReason()).toBeUndefined(); // not sampled yet
      await sleep(250);
      expect(guard.refuseReason()).toMatch(/holds \d+ MiB of spans in memory \(limit OTEL_ACTIVITY_MAX_JS_MEMORY_BYTES=1 MiB\)/);
    } finally {
      guard.stop();
    }
    const generous = startOverloadGuard({ maxEventLoopDelayMs: 0, maxJsMemoryBytes: 64 * 1024 * 1024 * 1024 });
    await sleep(250);
    expect(generous.refuseReason()).toBeUndefined();
    generous.stop();
  });
});
