/**
 * A flood past the queue cap through ClickHouseSpanExporter on chDB: memory stays at the cap, access rows are dropped
 * and counted first, every auth row survives; the ingest entry answers 'full' instead of dropping.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, expect, it } from 'vitest';
import type { ActivitySpan } from '../sdk/activity-span';
import { ClickHouseSpanExporter } from '../exporter/clickhouse-span-exporter';
import { loadConfig } from '../exporter/config';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-flood-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

it('holds at most maxQueueRows under a flood, drops access rows first and keeps every auth row', async () => {
  const cap = 500;
  const config = loadConfig({
    env: {},
    // flushCount and the interval above the flood's reach: the cap alone decides what stays.
    overrides: { exporter: { dataDir: path.join(root, 'data'), maxQueueRows: cap, flushCount: 100_000, flushIntervalMs: 3_600_000 } },
  }).exporter;
  const exporter = new ClickHouseSpanExporter({ config });
  await exporter.ready();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'flood' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('flood');

  let maxQueued = 0;
  for (let i = 0; i < 5_000; i++) {
    if (i % 50 === 0) {
      tracer
        .startSpan('POST /login', { kind: SpanKind.SERVER, attributes: { 'activity.kind': 'auth', 'activity.auth.event': 'login', 'activity.auth.success': true, 'user.id': `u${i}` } })
        .end();
    }
    tracer
      .startSpan('GET /', { kind: SpanKind.SERVER, attributes: { 'activity.kind': 'access', 'http.request.method': 'GET', 'url.path': '/', 'http.response.status_code': 200 } })
      .end();
    maxQueued = Math.max(maxQueued, exporter.getStats().queueRows);
  }
  const during = exporter.getStats();
  expect(maxQueued).toBe(cap);
  expect(during.dropped.auth_events.queue_full).toBe(0);
  expect(during.dropped.access_log.queue_full).toBe(5_000 - (cap - 100));

  // The ingest path pushes back instead: nothing is queued and nothing dropped.
  const span: ActivitySpan = {
    traceId: 'f'.repeat(32), spanId: 'e'.repeat(16), parentSpanId: '', name: 'GET /', kind: 1,
    startTimeMs: Date.now(), durationMs: 1, statusCode: 0, statusMessage: '',
    attributes: { 'activity.kind': 'access', 'http.request.method': 'GET', 'url.path': '/', 'http.response.status_code': 200 },
    resource: { 'service.name': 'flood' }, events: [],
  };
  expect(exporter.acceptActivitySpans([span])).toBe('full');
  expect(exporter.getStats().refused).toBe(1);
  expect(exporter.getStats().dropped.access_log.queue_full).toBe(during.dropped.access_log.queue_full);

  await exporter.forceFlush();
  const counts = await exporter.sink.query<{ a: string | number; b: string | number }>(
    'SELECT (SELECT count() FROM access_log) AS a, (SELECT count() FROM auth_events) AS b',
  );
  expect(counts.map((r) => [Number(r.a), Number(r.b)])).toEqual([[cap - 100, 100]]);
  expect(exporter.acceptActivitySpans([span])).toEqual({ accepted: 1, rejected: 0, ignored: 0 });
  await provider.shutdown();
});
