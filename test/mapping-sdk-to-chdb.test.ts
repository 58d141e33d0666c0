/**
 * Spans made by the real OTel SDK (BasicTracerProvider + InMemorySpanExporter) with our attribute names go
 * through readableSpanToActivitySpan → spanToRow → EmbeddedSink into the migrated chDB tables, and SELECT
 * returns exactly the expected rows. Spans from stock instrumentations (no activity.kind) map by HTTP shape.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpanKind, SpanStatusCode, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readableSpanToActivitySpan } from '../exporter/normalize/from-readable-span';
import { spanToRow, type RoutedRow } from '../exporter/rows/span-to-row';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';

const T0: HrTime = [1_790_000_000, 123_456_789]; // 2026-09-21 14:13:20.123456789 UTC
const at = (ms: number): HrTime => [T0[0] + Math.floor((T0[1] / 1e6 + ms) / 1000), Math.round(((T0[1] / 1e6 + ms) % 1000) * 1e6)];

let dir: string;
let sink: EmbeddedSink;
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'shop-api', 'deployment.environment.name': 'staging', 'host.name': 'web-1' }),
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const tracer = provider.getTracer('mapping-test');

function routedSpans(): Array<RoutedRow | undefined> {
  return exporter.getFinishedSpans().map((s) => spanToRow(readableSpanToActivitySpan(s)));
}

let batches = 0;
async function insertAll(routed: Array<RoutedRow | undefined>): Promise<void> {
  const byTable = new Map<string, object[]>();
  for (const r of routed) if (r) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r.row]);
  for (const [table, rows] of byTable) {
    const result = await sink.insert(table, rows, { dedupToken: `batch-${++batches}-${table}` });
    expect(result).toEqual({ ok: true });
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapping-sdk-'));
  sink = new EmbeddedSink({ dataDir: path.join(dir, 'data') });
  await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 });
});
afterAll(async () => {
  await sink.close();
  await provider.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('real SDK spans land as exact rows in chDB', () => {
  it('maps access, auth, external and custom activity spans to one row each in their tables', async () => {
    exporter.reset();
    const access = tracer.startSpan('GET /orders/:id', {
      kind: SpanKind.SERVER,
      startTime: T0,
      attributes: {
        'activity.kind': 'access',
        'http.request.method': 'GET',
        'http.route': '/orders/:id',
        'url.path': '/orders/42',
        'url.query': 'expand=items&token=REDACTED',
        'http.response.status_code': 503,
        'http.request.body.size': 0,
        'http.response.body.size': 1234,
        'user.id': 'u-1',
        'session.id': 's-1',
        'client.address': '203.0.113.0',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
        'activity.user_agent.browser': 'Firefox',
        'activity.user_agent.os': 'Linux',
        'activity.user_agent.device_type': 'desktop',
        'url.scheme': 'https',
        'http.request.header.x-tenant': ['acme', 'beta'],
      },
    });
    access.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream timeout' });
    access.end(at(12.5));

    const auth = tracer.startSpan('auth login_failed', {
      kind: SpanKind.INTERNAL,
      startTime: at(1),
      attributes: {
        'activity.kind': 'auth',
        'activity.auth.event': 'login_failed',
        'activity.auth.success': false,
        'activity.auth.method': 'password',
        'activity.auth.reason': 'bad password',
        'user.id': 'u-2',
        'client.address': '2001:db8::',
        'user_agent.original': 'curl/8.5.0',
        'activity.user_agent.device_type': 'bot',
      },
    });
    auth.end(at(2));

    const external = tracer.startSpan('external openai', {
      kind: SpanKind.CLIENT,
      startTime: at(3),
      attributes: {
        'activity.kind': 'external',
        'activity.external.service': 'openai',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 300,
        'activity.cost.usd': 0.00036,
        'http.request.method': 'POST',
        'http.response.status_code': 200,
        'server.address': 'api.openai.com',
        'url.full': 'https://api.openai.com/v1/chat/completions',
        'user.id': 'u-1',
      },
    });
    external.end(at(803.25));

    const custom = tracer.startSpan('activity report.export', {
      startTime: at(4),
      attributes: {
        'activity.kind': 'custom',
        'activity.action': 'report.export',
        'activity.resource.type': 'report',
        'activity.resource.id': 'r-7',
        'activity.details': '{"format":"csv","rows":120}',
        'user.id': 'u-3',
        'client.address': '198.51.100.0',
      },
    });
    custom.end(at(5));

    const routed = routedSpans();
    expect(routed.map((r) => r?.table)).toEqual(['access_log', 'auth_events', 'external_calls', 'activities']);
    await insertAll(routed);

    const traceOf = (i: number) => exporter.getFinishedSpans()[i].spanContext();
    expect(await sink.query('SELECT * EXCEPT (duration_ms), round(duration_ms, 3) AS duration_ms FROM access_log')).toEqual([
      {
        timestamp: '2026-09-21 14:13:20.123',
        trace_id: traceOf(0).traceId,
        span_id: traceOf(0).spanId,
        service: 'shop-api',
        environment: 'staging',
        method: 'GET',
        route: '/orders/:id',
        path: '/orders/42',
        query: 'expand=items&token=REDACTED',
        status: 503,
        request_bytes: 0,
        response_bytes: 1234,
        user_id: 'u-1',
        session_id: 's-1',
        client_ip: '::ffff:203.0.113.0',
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0',
        browser: 'Firefox',
        os: 'Linux',
        device_type: 'desktop',
        error_message: 'upstream timeout',
        attributes: { 'url.scheme': 'https', 'http.request.header.x-tenant': '["acme","beta"]' },
        duration_ms: 12.5,
      },
    ]);
    expect(await sink.query('SELECT * FROM auth_events')).toEqual([
      {
        timestamp: '2026-09-21 14:13:20.124',
        trace_id: traceOf(1).traceId,
        span_id: traceOf(1).spanId,
        service: 'shop-api',
        environment: 'staging',
        event: 'login_failed',
        success: false,
        user_id: 'u-2',
        session_id: '',
        method: 'password',
        reason: 'bad password',
        client_ip: '2001:db8::',
        user_agent: 'curl/8.5.0',
        device_type: 'bot',
        attributes: {},
      },
    ]);
    expect(await sink.query('SELECT * EXCEPT (duration_ms), round(duration_ms, 3) AS duration_ms, toString(cost_usd) AS cost FROM external_calls')).toEqual([
      {
        timestamp: '2026-09-21 14:13:20.126',
        trace_id: traceOf(2).traceId,
        span_id: traceOf(2).spanId,
        parent_span_id: '',
        service: 'shop-api',
        environment: 'staging',
        provider: 'openai',
        method: 'POST',
        host: 'api.openai.com',
        url: 'https://api.openai.com/v1/chat/completions',
        status: 200,
        request_bytes: 0,
        response_bytes: 0,
        model: 'gpt-4o-mini',
        call_kind: 'llm',
        input_tokens: 1200,
        output_tokens: 300,
        cache_read_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
        cost_usd: 0.00036,
        user_id: 'u-1',
        session_id: '',
        error_message: '',
        attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' },
        duration_ms: 800.25,
        cost: '0.00036',
      },
    ]);
    expect(await sink.query('SELECT * FROM activities')).toEqual([
      {
        timestamp: '2026-09-21 14:13:20.127',
        trace_id: traceOf(3).traceId,
        span_id: traceOf(3).spanId,
        service: 'shop-api',
        environment: 'staging',
        user_id: 'u-3',
        session_id: '',
        action: 'report.export',
        resource_type: 'report',
        resource_id: 'r-7',
        details: '{"format":"csv","rows":120}',
        client_ip: '::ffff:198.51.100.0',
        user_agent: '',
        attributes: {},
      },
    ]);
  });

  it('maps stock HTTP spans without activity.kind by span kind, and ignores internal and DB spans', async () => {
    exporter.reset();
    const server = tracer.startSpan('GET', {
      kind: SpanKind.SERVER,
      startTime: at(10_000),
      attributes: { 'http.request.method': 'GET', 'url.path': '/health', 'http.response.status_code': 200, 'client.address': '::1' },
    });
    const client = tracer.startActiveSpan('POST', { kind: SpanKind.CLIENT, startTime: at(10_001), attributes: { 'http.method': 'POST', 'http.url': 'https://hooks.example.com/x?sig=1', 'http.status_code': 502 } }, (span) => span);
    client.recordException(new Error('bad gateway from hook'));
    client.end(at(10_002));
    server.end(at(10_003));
    tracer.startSpan('compute', { kind: SpanKind.INTERNAL }).end();
    tracer.startSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT 1' } }).end();

    const routed = routedSpans();
    expect(routed.map((r) => r?.table)).toEqual(['external_calls', 'access_log', undefined, undefined]);
    await insertAll(routed);

    expect(await sink.query("SELECT route, path, query, status, client_ip FROM access_log WHERE path = '/health'")).toEqual([
      { route: '/health', path: '/health', query: '', status: 200, client_ip: '::1' },
    ]);
    expect(await sink.query("SELECT provider, host, url, method, status, error_message FROM external_calls WHERE host = 'hooks.example.com'")).toEqual([
      { provider: 'hooks.example.com', host: 'hooks.example.com', url: 'https://hooks.example.com/x?sig=1', method: 'POST', status: 502, error_message: 'bad gateway from hook' },
    ]);
  });

  it('keeps the sub-millisecond fraction of SDK times in start and duration', () => {
    exporter.reset();
    tracer.startSpan('x', { startTime: [1_790_000_000, 123_456_789] }).end([1_790_000_000, 124_000_000]);
    const span = readableSpanToActivitySpan(exporter.getFinishedSpans()[0]);
    expect(span.startTimeMs).toBe(1_790_000_000_123.4568);
    expect(span.durationMs).toBeCloseTo(0.543211, 6);
    expect(span.resource).toEqual({ 'service.name': 'shop-api', 'deployment.environment.name': 'staging', 'host.name': 'web-1' });
  });
});
