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
import type { ActivitySpan } from '../sdk/activity-span';
import { ClickHouseSpanExporter } from '../exporter/clickhouse-span-exporter';
import { RunMarker } from '../exporter/queue/run-marker';
import { loadConfig } from '../exporter/config';
import { freePort } from './helpers/free-port';
import { waitUntil } from './helpers/wait-until';
import type { ExporterConfig } from '../exporter/config';

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

function ingestedSpan(i: number, service: string): ActivitySpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: i.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'GET /svc',
    kind: 1,
    startTimeMs: Date.UTC(2026, 10, 23, 9, 0, 0) + i,
    durationMs: 3.5,
    statusCode: 0,
    statusMessage: '',
    attributes: { 'activity.kind': 'access', 'http.request.method': 'GET', 'url.path': '/svc', 'http.route': '/svc', 'http.response.status_code': 204 },
    resource: { 'service.name': service },
    events: [],
  };
}

/**
 * A "previous process" whose ClickHouse was unreachable: its rows end up in the spool this file's exporter then
 * replays. It then dies rather than stopping cleanly: its run marker stays, so the next start checks for re-sent rows.
 */
async function spoolFromUnreachableServer(): Promise<number> {
  const port = await freePort();
  const previous = new ClickHouseSpanExporter({
    config: exporterConfig({ clickhouseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 }),
    migrate: false,
  });
  expect(previous.acceptActivitySpans(Array.from({ length: 30 }, (_, i) => ingestedSpan(i, 'spooled')))).toEqual({ accepted: 30, rejected: 0, ignored: 0 });
  await previous.shutdown();
  const stats = previous.getStats();
  expect(stats.spoolPendingBatches).toBe(1);
  expect(stats.lastInsertError).toContain('ECONNREFUSED');
  new RunMarker(path.join(root, 'spool')).begin(); // the marker a crashed process leaves behind
  return stats.spoolPendingBatches;
}

beforeAll(async () => {
  await spoolFromUnreachableServer();
  exporter = new ClickHouseSpanExporter({ config: exporterConfig(), probeIntervalMs: 50 });
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
  const [row] = await exporter.sink.query<{ c: string | number }>(`SELECT count() AS c FROM ${table} WHERE service = 'shop'`);
  return Number(row!.c);
}

describe('ClickHouseSpanExporter on chDB', () => {
  it('replays on start the spool a previous process left, into the migrated tables', async () => {
    await waitUntil(() => exporter.getStats().spoolPendingBatches === 0, 10_000, 'the spool replay', 20);
    const [row] = await exporter.sink.query<{ c: string | number; u: string | number }>(
      "SELECT count() AS c, uniqExact(span_id) AS u FROM access_log WHERE service = 'spooled'",
    );
    expect([Number(row!.c), Number(row!.u)]).toEqual([30, 30]);
    expect(exporter.getStats().replayedBatches).toBe(1);
    expect(fs.readdirSync(path.join(root, 'spool')).filter((f) => f.endsWith('.ndjson'))).toEqual([]);
  });

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
      "SELECT route, status, count() AS n FROM access_log WHERE service = 'shop' GROUP BY route, status ORDER BY status",
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
    // 30 replayed from the spool plus this test's 5.
    expect(stats.inserted).toEqual({ access_log: 35, auth_events: 1, external_calls: 1, activities: 1 });
    expect(stats.queueRows).toBe(0);
    expect(stats.lastInsertError).toBeUndefined();
  });

  it('accepts already-normalised spans from the ingest service and reports counts', async () => {
    const spans: ActivitySpan[] = [ingestedSpan(1001, 'ingested'), ingestedSpan(1002, 'ingested'), { ...ingestedSpan(1003, 'ingested'), attributes: {} }];
    expect(exporter.acceptActivitySpans(spans)).toEqual({ accepted: 2, rejected: 0, ignored: 1 });
    await exporter.forceFlush();
    const [row] = await exporter.sink.query<{ c: string | number }>("SELECT count() AS c FROM access_log WHERE service = 'ingested'");
    expect(Number(row!.c)).toBe(2);
  });

  it('acknowledges durable accepts once rows are queryable, and skips spans re-sent after a restart', async () => {
    // Spans 0..4 were stored by the spool replay; a sender whose answer a crash swallowed sends them again, with 2 new ones.
    const resent = [0, 1, 2, 3, 4, 2000, 2001].map((i) => ingestedSpan(i, 'spooled'));
    const result = await exporter.acceptActivitySpansDurably(resent);
    expect(result).toEqual({ accepted: 7, rejected: 0, ignored: 0, durable: true });
    const [row] = await exporter.sink.query<{ c: string | number; u: string | number }>(
      "SELECT count() AS c, uniqExact(span_id) AS u FROM access_log WHERE service = 'spooled'",
    );
    expect([Number(row!.c), Number(row!.u)]).toEqual([32, 32]);
    expect(exporter.getStats().deduplicatedRows).toBe(5);
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
