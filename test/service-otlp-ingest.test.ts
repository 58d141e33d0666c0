/**
 * The official OTLP/HTTP exporters (JSON and protobuf) sending to the ingest service, and the same SDK spans written
 * by the in-process ClickHouseSpanExporter: every column of every row is identical whichever way a span arrived.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import { loadConfig } from '../exporter/config';

const TABLES = ['access_log', 'auth_events', 'external_calls', 'activities'] as const;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-svc-ingest-'));
let service: OtlpService;

/** Real SDK spans of every activity kind, with the value types that travel differently in OTLP (ints, doubles, arrays, events). */
function makeSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'shop', 'service.version': '1.2.3', 'deployment.environment.name': 'test', 'host.name': 'web-1' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('otel-activity-test');
  const access = tracer.startSpan('GET /api/orders/:id', {
    kind: SpanKind.SERVER,
    attributes: {
      'activity.kind': 'access',
      'http.request.method': 'GET',
      'http.route': '/api/orders/:id',
      'url.path': '/api/orders/42',
      'url.query': 'page=2&token=REDACTED',
      'http.response.status_code': 500,
      'http.request.body.size': 0,
      'http.response.body.size': 1234,
      'user.id': 'u-7',
      'session.id': 's-1',
      'client.address': '203.0.113.0',
      'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
      'activity.user_agent.browser': 'Firefox',
      'activity.user_agent.os': 'Linux',
      'activity.user_agent.device_type': 'desktop',
      'feature.ratio': 0.25,
      'feature.enabled': true,
      'feature.tags': ['a', 'b'],
      'feature.count': 3,
    },
  });
  access.recordException(new Error('database timeout'));
  access.setStatus({ code: SpanStatusCode.ERROR, message: 'database timeout' });
  const parent = trace.setSpan(context.active(), access);
  const auth = tracer.startSpan('auth login_failed', {
    attributes: {
      'activity.kind': 'auth',
      'activity.auth.event': 'login_failed',
      'activity.auth.success': false,
      'activity.auth.method': 'password',
      'activity.auth.reason': 'bad password',
      'user.id': 'u-9',
      'client.address': '2001:db8::',
      'user_agent.original': 'curl/8.5.0',
      'activity.user_agent.device_type': 'bot',
    },
  }, parent);
  auth.end();
  const external = tracer.startSpan('external openai', {
    kind: SpanKind.CLIENT,
    attributes: {
      'activity.kind': 'external',
      'activity.external.service': 'openai',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      'activity.cost.usd': 0.00036,
      'http.request.method': 'POST',
      'server.address': 'api.openai.com',
      'url.full': 'https://api.openai.com/v1/chat/completions',
      'http.response.status_code': 200,
      'user.id': 'u-7',
    },
  }, parent);
  external.end();
  const custom = tracer.startSpan('activity order.refund', {
    attributes: {
      'activity.kind': 'custom',
      'activity.action': 'order.refund',
      'activity.resource.type': 'order',
      'activity.resource.id': '42',
      'activity.details': JSON.stringify({ amount: 12.5, currency: 'EUR' }),
      'user.id': 'u-7',
    },
  }, parent);
  custom.end();
  // Not an activity span: counted as ignored, no row.
  tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } }, parent).end();
  access.end();
  return memory.getFinishedSpans();
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function snapshot(): Promise<Record<string, unknown[]>> {
  await service.exporter.forceFlush();
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = await service.exporter.sink.query(`SELECT * FROM ${table} ORDER BY span_id`);
  return out;
}

async function truncateAll(): Promise<void> {
  for (const table of TABLES) await service.exporter.sink.command(`TRUNCATE TABLE ${table}`);
}

const spans = makeSpans();

beforeAll(async () => {
  const config = loadConfig({
    env: {},
    // The same spans go in again after each TRUNCATE: the service must not remember their ids from the run before.
    overrides: { exporter: { dataDir: path.join(root, 'data'), flushIntervalMs: 50 }, service: { port: 0, dedupRecentSpanIds: 0 } },
  });
  service = await startOtlpService({ config });
});

afterAll(async () => {
  await service?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('OTLP ingest service with the official exporters', () => {
  let inProcess: Record<string, unknown[]>;

  it('in-process path: the ClickHouseSpanExporter writes one row per activity span', async () => {
    expect((await exportWith(service.exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    inProcess = await snapshot();
    expect(Object.fromEntries(TABLES.map((t) => [t, inProcess[t]!.length]))).toEqual({ access_log: 1, auth_events: 1, external_calls: 1, activities: 1 });
    expect(inProcess.external_calls![0]).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', input_tokens: 1200, output_tokens: 300, cost_usd: 0.00036 });
    expect(inProcess.access_log![0]).toMatchObject({ status: 500, route: '/api/orders/:id', error_message: 'database timeout', client_ip: '::ffff:203.0.113.0' });
  });

  it('exporter-trace-otlp-http (JSON) lands rows identical in every column to the in-process path', async () => {
    await truncateAll();
    const exporter = new OTLPJsonTraceExporter({ url: `${service.url}/v1/traces` });
    expect((await exportWith(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    expect(await snapshot()).toEqual(inProcess);
  });

  it('exporter-trace-otlp-proto (protobuf) lands rows identical in every column to the in-process path', async () => {
    await truncateAll();
    const exporter = new OTLPProtoTraceExporter({ url: `${service.url}/v1/traces` });
    expect((await exportWith(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    await exporter.shutdown();
    expect(await snapshot()).toEqual(inProcess);
  });

  it('counts what arrived over OTLP in /metrics: spans received, rows accepted, non-activity spans ignored', async () => {
    const response = await fetch(`${service.url}/metrics`);
    const metrics = (await response.json()) as Record<string, unknown>;
    // Two OTLP requests of 5 spans; the in-process export is not an OTLP request.
    expect(metrics.spansReceived).toBe(10);
    expect(metrics.accepted).toBe(12);
    expect(metrics.ignored).toBe(3);
    expect(metrics.rejected).toBe(0);
    expect(metrics.responses).toEqual({ '200': 2 });
    expect(metrics.inserted).toEqual({ access_log: 3, auth_events: 3, external_calls: 3, activities: 3 });
  });

  it('serves Prometheus text on /metrics?format=prometheus', async () => {
    const text = await (await fetch(`${service.url}/metrics?format=prometheus`)).text();
    expect(text).toContain('otel_activity_rows_inserted_total{table="access_log"} 3\n');
    expect(text).toContain('otel_activity_spans_received_total 10\n');
  });

  it('mounts the dashboard beside its own routes and answers other paths with 404', async () => {
    const page = await fetch(`${service.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    await page.text();
    const missing = await fetch(`${service.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'no route GET /nope; OTLP goes to POST /v1/traces, activities as JSON to POST /v1/activities' });
  });
});
