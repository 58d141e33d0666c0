/**
 * schemas/otel-traces/*.sql: rows the collector-contrib clickhouse exporter writes into `otel_traces` (its own DDL,
 * attribute values as strings) land in access_log, auth_events and external_calls through the materialized views;
 * model calls that arrive without a cost are stored unpriced and priced by `reprice`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { runOperation } from '../exporter/service/admin-operations';
import { migrate } from '../schemas/migrate';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-views-'));
const sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
const VIEWS_DIR = path.join(__dirname, '..', 'schemas', 'otel-traces');

const resource = { 'service.name': 'shop', 'deployment.environment.name': 'prod', 'host.name': 'web-1' };

/** One row as the contrib exporter inserts it: every attribute value rendered as a string. */
function otelRow(spanId: string, spanName: string, kind: string, attributes: Record<string, string>, extra: Record<string, unknown> = {}) {
  return {
    Timestamp: '2026-11-23 08:00:00.123456789',
    TraceId: '0af7651916cd43dd8448eb211c80319c',
    SpanId: spanId,
    ParentSpanId: '',
    TraceState: '',
    SpanName: spanName,
    SpanKind: kind,
    ServiceName: 'shop',
    ResourceAttributes: resource,
    ScopeName: 'otel-activity',
    ScopeVersion: '0.1.0',
    SpanAttributes: attributes,
    Duration: 12_345_678,
    StatusCode: 'Unset',
    StatusMessage: '',
    'Events.Timestamp': [],
    'Events.Name': [],
    'Events.Attributes': [],
    'Links.TraceId': [],
    'Links.SpanId': [],
    'Links.TraceState': [],
    'Links.Attributes': [],
    ...extra,
  };
}

beforeAll(async () => {
  await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 });
  await sink.command(fs.readFileSync(path.join(__dirname, 'fixtures', 'collector-otel-traces-table.sql'), 'utf8'));
  for (const file of fs.readdirSync(VIEWS_DIR).filter((f) => f.endsWith('.sql')).sort()) {
    await sink.command(fs.readFileSync(path.join(VIEWS_DIR, file), 'utf8').replace(/;\s*$/, ''));
  }
  const result = await sink.insert(
    'otel_traces',
    [
      otelRow('1111111111111111', 'GET /api/orders/:id', 'Server', {
        'activity.kind': 'access',
        'http.request.method': 'GET',
        'http.route': '/api/orders/:id',
        'url.path': '/api/orders/42',
        'url.query': 'page=2',
        'http.response.status_code': '503',
        'http.response.body.size': '512',
        'user.id': 'u-7',
        'session.id': 's-1',
        'client.address': '203.0.113.0',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
        'activity.user_agent.browser': 'Firefox',
        'activity.user_agent.os': 'Linux',
        'activity.user_agent.device_type': 'desktop',
        'error.message': 'upstream down',
        'feature.flag': 'beta',
      }),
      otelRow('2222222222222222', 'auth login_failed', 'Internal', {
        'activity.kind': 'auth',
        'activity.auth.event': 'login_failed',
        'activity.auth.success': 'false',
        'activity.auth.method': 'password',
        'activity.auth.reason': 'bad password',
        'user.id': 'u-9',
        'client.address': '2001:db8::',
        'user_agent.original': 'curl/8.5.0',
        'activity.user_agent.device_type': 'bot',
      }),
      otelRow('3333333333333333', 'external openai', 'Client', {
        'activity.kind': 'external',
        'activity.external.service': 'openai',
        'gen_ai.provider.name': 'openai',
        'http.request.method': 'POST',
        'server.address': 'api.openai.com',
        'url.full': 'https://api.openai.com/v1/chat/completions',
        'http.response.status_code': '200',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
        'gen_ai.usage.input_tokens': '1200',
        'gen_ai.usage.output_tokens': '300',
        'activity.cost.usd': '0.00036',
        'user.id': 'u-7',
      }, { ParentSpanId: '1111111111111111' }),
      // No activity.kind: a stock SDK's HTTP server span is still an access row (as spanToRow infers it).
      otelRow('6666666666666666', 'POST', 'Client', { 'http.request.method': 'POST', 'url.full': 'https://api.stripe.com/v1/charges' }, {
        StatusCode: 'Error',
        StatusMessage: 'status text',
        'Events.Timestamp': ['2026-11-23 08:00:00.130000000'],
        'Events.Name': ['exception'],
        'Events.Attributes': [{ 'exception.type': 'Error', 'exception.message': 'socket hang up' }],
      }),
      otelRow('5555555555555555', 'GET', 'Server', { 'http.request.method': 'GET', 'http.target': '/health?probe=1', 'http.response.status_code': '200' }),
      // Not an activity span: a database call the app's other instrumentations traced.
      otelRow('4444444444444444', 'SELECT orders', 'Client', { 'db.system.name': 'postgresql' }),
    ],
    { dedupToken: 'views-1' },
  );
  if (!result.ok) throw result.error;
});

afterAll(async () => {
  await sink.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('otel_traces materialized views', () => {
  it('turn an access span written by the clickhouse exporter into one access_log row', async () => {
    const rows = await sink.query("SELECT *, toString(client_ip) AS ip FROM access_log WHERE span_id = '1111111111111111'");
    expect(rows).toEqual([
      {
        timestamp: '2026-11-23 08:00:00.123',
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: '1111111111111111',
        service: 'shop',
        environment: 'prod',
        method: 'GET',
        route: '/api/orders/:id',
        path: '/api/orders/42',
        query: 'page=2',
        status: 503,
        duration_ms: 12.345678,
        request_bytes: 0,
        response_bytes: 512,
        user_id: 'u-7',
        session_id: 's-1',
        client_ip: '::ffff:203.0.113.0',
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
        browser: 'Firefox',
        os: 'Linux',
        device_type: 'desktop',
        error_message: 'upstream down',
        attributes: { 'feature.flag': 'beta' },
        ip: '::ffff:203.0.113.0',
      },
    ]);
  });

  it('turn an auth span into one auth_events row with success parsed from the string "false"', async () => {
    const rows = await sink.query('SELECT event, success, user_id, method, reason, toString(client_ip) AS ip, user_agent, device_type, attributes FROM auth_events');
    expect(rows).toEqual([
      { event: 'login_failed', success: false, user_id: 'u-9', method: 'password', reason: 'bad password', ip: '2001:db8::', user_agent: 'curl/8.5.0', device_type: 'bot', attributes: {} },
    ]);
  });

  it('turn an external span into one external_calls row with tokens and an exact decimal cost', async () => {
    const rows = await sink.query(
      'SELECT parent_span_id, provider, method, host, url, status, model, input_tokens, output_tokens, toString(cost_usd) AS cost, user_id, duration_ms, attributes FROM external_calls WHERE span_id = \'3333333333333333\'',
    );
    expect(rows).toEqual([
      {
        parent_span_id: '1111111111111111',
        provider: 'openai',
        method: 'POST',
        host: 'api.openai.com',
        url: 'https://api.openai.com/v1/chat/completions',
        status: 200,
        model: 'gpt-4o-mini',
        input_tokens: 1200,
        output_tokens: 300,
        cost: '0.00036',
        user_id: 'u-7',
        duration_ms: 12.345678,
        attributes: { 'gen_ai.provider.name': 'openai', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' },
      },
    ]);
  });

  it('route a span without activity.kind like spanToRow: an HTTP SERVER span becomes an access row, path from http.target', async () => {
    const rows = await sink.query("SELECT method, route, path, query, status, toString(client_ip) AS ip, error_message FROM access_log WHERE span_id = '5555555555555555'");
    expect(rows).toEqual([{ method: 'GET', route: '/health', path: '/health', query: '', status: 200, ip: '::', error_message: '' }]);
  });

  it('take the error message from an exception event when there is no error.message attribute', async () => {
    const rows = await sink.query("SELECT error_message FROM external_calls WHERE span_id = '6666666666666666'");
    expect(rows).toEqual([{ error_message: 'socket hang up' }]);
  });

  it('leave spans without activity.kind in otel_traces only', async () => {
    const [counts] = await sink.query<Record<string, number>>(
      'SELECT (SELECT count() FROM otel_traces) AS traces, (SELECT count() FROM access_log) AS access, (SELECT count() FROM auth_events) AS auth, (SELECT count() FROM external_calls) AS external',
    );
    expect(counts).toEqual({ traces: 6, access: 2, auth: 1, external: 2 });
  });
});

describe('otel_traces → external_calls for model calls', () => {
  // An hour ago, so `reprice --since 1d` reaches them whatever day the test runs.
  const recent = new Date(Date.now() - 3_600_000).toISOString().replace('T', ' ').replace('Z', '');

  beforeAll(async () => {
    const result = await sink.insert(
      'otel_traces',
      [
        // OpenLLMetry-style: no activity.kind, the deprecated gen_ai.system, no cost.
        otelRow('7777777777777777', 'openai.chat', 'Client', {
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': '1200',
          'gen_ai.usage.output_tokens': '300',
          'gen_ai.usage.cache_read.input_tokens': '1000',
          'gen_ai.usage.reasoning.output_tokens': '100',
          'user.id': 'u-8',
        }, { Timestamp: recent, TraceId: '1af7651916cd43dd8448eb211c80319c' }),
        // recordUsage() with no call around it, with the cost the provider reported.
        otelRow('8888888888888888', 'usage anthropic', 'Internal', {
          'activity.kind': 'external',
          'activity.external.call': 'usage',
          'activity.external.service': 'anthropic',
          'gen_ai.request.model': 'claude-sonnet-4-5',
          'gen_ai.usage.input_tokens': '3000',
          'gen_ai.usage.output_tokens': '500',
          'gen_ai.usage.cache_creation.input_tokens': '2000',
          'activity.cost.usd': '0.0123',
          'activity.cost.source': 'reported',
          'user.id': 'u-8',
        }, { Timestamp: recent, TraceId: '1af7651916cd43dd8448eb211c80319c' }),
      ],
      { dedupToken: 'views-genai' },
    );
    if (!result.ok) throw result.error;
  });

  it('carry call_kind, cached, cache-write and reasoning tokens; a model call with no cost is unpriced (NULL)', async () => {
    const rows = await sink.query(
      "SELECT span_id, provider, call_kind, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, toString(cost_usd) AS cost, attributes FROM external_calls WHERE user_id = 'u-8' ORDER BY span_id",
    );
    expect(rows).toEqual([
      { span_id: '7777777777777777', provider: 'openai', call_kind: 'llm', model: 'gpt-4o-mini', input_tokens: 1200, output_tokens: 300, cache_read_tokens: 1000, cache_write_tokens: 0, reasoning_tokens: 100, cost: null, attributes: { 'gen_ai.system': 'openai' } },
      { span_id: '8888888888888888', provider: 'anthropic', call_kind: 'usage', model: 'claude-sonnet-4-5', input_tokens: 3000, output_tokens: 500, cache_read_tokens: 0, cache_write_tokens: 2000, reasoning_tokens: 0, cost: '0.0123', attributes: { 'activity.cost.source': 'reported' } },
    ]);
    // The HTTP call of the first fixture: no model, so no cost to know; and a plain HTTP call.
    expect(await sink.query("SELECT call_kind, toString(cost_usd) AS cost FROM external_calls WHERE span_id IN ('3333333333333333', '6666666666666666') ORDER BY span_id")).toEqual([
      { call_kind: 'llm', cost: '0.00036' },
      { call_kind: 'http', cost: '0' },
    ]);
  });

  it('are priced by reprice, the reported cost left as it is, the rollup corrected with them', async () => {
    const config = { exporter: { retentionDays: 90, rollupRetentionDays: 730 }, sdk: { modelPrices: {} } } as never;
    const { lines } = await runOperation('reprice', sink, { since: '1d' }, config);
    expect(lines.slice(1)).toEqual([
      // (200 × 0.15 + 1000 × 0.075 + 300 × 0.6) / 1M: reasoning tokens are output tokens at gpt-4o-mini's output price.
      'changed the cost of 1 rows (1 of them were unpriced), by 0.000285000 USD in total; 0 calls still have no price',
      'external_cost_daily: corrected by 1 rows of the same amounts',
    ]);
    expect(await sink.query("SELECT span_id, toString(cost_usd) AS cost FROM external_calls WHERE user_id = 'u-8' ORDER BY span_id")).toEqual([
      { span_id: '7777777777777777', cost: '0.000285' },
      { span_id: '8888888888888888', cost: '0.0123' },
    ]);
    expect(await sink.query("SELECT sum(calls) AS calls, sum(unpriced_calls) AS unpriced, toString(sum(cost_usd)) AS cost, sum(cache_read_tokens) AS cached, sum(cache_write_tokens) AS written FROM external_cost_daily WHERE user_id = 'u-8'")).toEqual([
      { calls: 2, unpriced: 0, cost: '0.012585', cached: 1000, written: 2000 },
    ]);
  });
});
