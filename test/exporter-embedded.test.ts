/**
 * ClickHouseSpanExporter end to end on the embedded engine: spans made by the real OTel SDK (BasicTracerProvider)
 * go through readableSpanToActivitySpan + spanToRow + BatchQueue into real chDB tables created by the migrations.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivitySpan } from '../exporter/activity-span';
import { ClickHouseSpanExporter } from '../exporter/clickhouse-span-exporter';
import { loadConfig } from '../sdk/config/config-loader';
import type { ExporterConfig } from '../sdk/config/config-types';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-embedded-exporter-'));
let exporter: ClickHouseSpanExporter;
let provider: BasicTracerProvider;
let tracer: Tracer;

function exporterConfig(overrides: Partial<ExporterConfig> = {}): ExporterConfig {
  return loadConfig({
    env: {},
    overrides: { exporter: { dataDir: path.join(root, 'data'), spoolDir: path.join(root, 'spool'), flushIntervalMs: 50, ...overrides } },
  }).exporter;
}

beforeAll(async () => {
  exporter = new ClickHouseSpanExporter({ config: exporterConfig() });
  await exporter.ready();
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop', 'deployment.environment.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  tracer = provider.getTracer('exporter-embedded-test');
});

afterAll(async () => {
  await provider?.shutdown();
  fs.rmSync(root, { recursive: true, force: true });
});

function accessSpan(i: number): void {
  const span = tracer.startSpan(`GET /api/items/:id`, {
    kind: SpanKind.SERVER,
    attributes: {
      'activity.kind': 'access',
      'http.request.method': 'GET',
      'http.route': '/api/items/:id',
      'url.path': `/api/items/${i}`,
      'http.response.status_code': i === 4 ? 500 : 200,
      'user.id': `user-${i % 2}`,
      'client.address': '203.0.113.0',
    },
  });
  if (i === 4) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  span.end();
}

async function count(table: string): Promise<number> {
  const [row] = await exporter.sink.query<{ c: string | number }>(`SELECT count() AS c FROM ${table}`);
  return Number(row!.c);
}

describe('ClickHouseSpanExporter on chDB', () => {
  it('writes spans from the real SDK as rows in their tables, and ignores non-activity spans', async () => {
    for (let i = 0; i < 5; i++) accessSpan(i);
    tracer
      .startSpan('POST /api/users/login', {
        kind: SpanKind.SERVER,
        attributes: { 'activity.kind': 'auth', 'activity.auth.event': 'login', 'activity.auth.success': true, 'user.id': 'user-1', 'http.request.method': 'POST' },
      })
      .end();
    tracer
      .startSpan('POST', {
        kind: SpanKind.CLIENT,
        attributes: {
          'activity.kind': 'external',
          'activity.external.service': 'openai',
          'http.request.method': 'POST',
          'server.address': 'api.openai.com',
          'url.full': 'https://api.openai.com/v1/chat/completions',
          'http.response.status_code': 200,
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 500,
          'activity.cost.usd': 0.00045,
          'user.id': 'user-1',
        },
      })
      .end();
    tracer
      .startSpan('activity order.create', {
        attributes: { 'activity.kind': 'custom', 'activity.action': 'order.create', 'activity.resource.type': 'order', 'activity.resource.id': 'o-7', 'user.id': 'user-0' },
      })
      .end();
    tracer.startSpan('internal work').end();
    tracer.startSpan('SELECT shop.items', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } }).end();

    await provider.forceFlush();
    await exporter.forceFlush();

    expect(await count('access_log')).toBe(5);
    expect(await count('auth_events')).toBe(1);
    expect(await count('external_calls')).toBe(1);
    expect(await count('activities')).toBe(1);
    const access = await exporter.sink.query<{ route: string; status: number; n: string | number }>(
      'SELECT route, status, count() AS n FROM access_log GROUP BY route, status ORDER BY status',
    );
    expect(access.map((r) => [r.route, Number(r.status), Number(r.n)])).toEqual([
      ['/api/items/:id', 200, 4],
      ['/api/items/:id', 500, 1],
    ]);
    const [auth] = await exporter.sink.query<{ event: string; user_id: string; service: string }>('SELECT event, user_id, service FROM auth_events');
    expect(auth).toEqual({ event: 'login', user_id: 'user-1', service: 'shop' });
    const [call] = await exporter.sink.query<{ provider: string; model: string; input_tokens: number; output_tokens: number }>(
      'SELECT provider, model, input_tokens, output_tokens FROM external_calls',
    );
    expect({ ...call, input_tokens: Number(call!.input_tokens), output_tokens: Number(call!.output_tokens) }).toEqual({
      provider: 'openai',
      model: 'gpt-4o-mini',
      input_tokens: 1000,
      output_tokens: 500,
    });

    const stats = exporter.getStats();
    expect(stats.accepted).toBe(8);
    expect(stats.ignored).toBe(2);
    expect(stats.inserted).toEqual({ access_log: 5, auth_events: 1, external_calls: 1, activities: 1 });
    expect(stats.queueRows).toBe(0);
    expect(stats.lastInsertError).toBeUndefined();
  });

  it('accepts already-normalised spans from the ingest service and reports counts', async () => {
    const base: ActivitySpan = {
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      parentSpanId: '',
      name: 'GET /health',
      kind: 1,
      startTimeMs: Date.UTC(2026, 10, 23, 9, 0, 0),
      durationMs: 3.5,
      statusCode: 0,
      statusMessage: '',
      attributes: { 'activity.kind': 'access', 'http.request.method': 'GET', 'url.path': '/svc', 'http.route': '/svc', 'http.response.status_code': 204 },
      resource: { 'service.name': 'ingested' },
      events: [],
    };
    const spans: ActivitySpan[] = [base, { ...base, spanId: 'c'.repeat(16) }, { ...base, spanId: 'd'.repeat(16), attributes: {} }];
    expect(exporter.acceptActivitySpans(spans)).toEqual({ accepted: 2, rejected: 0, ignored: 1 });
    await exporter.forceFlush();
    const [row] = await exporter.sink.query<{ c: string | number }>("SELECT count() AS c FROM access_log WHERE service = 'ingested'");
    expect(Number(row!.c)).toBe(2);
  });

  it('is shut down once: export afterwards fails, acceptActivitySpans answers full', async () => {
    await provider.forceFlush();
    const first = exporter.shutdown();
    expect(exporter.shutdown()).toBe(first);
    await first;
    const result = await new Promise<ExportResult>((resolve) => exporter.export([] as ReadableSpan[], resolve));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(exporter.acceptActivitySpans([])).toBe('full');
  });
});
