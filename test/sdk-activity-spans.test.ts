// In-process: the real SDK (startActivityTracing) with an InMemorySpanExporter, a real node:http app, real fetch
// and http clients, and a fake LLM server on 127.0.0.1 that answers with token usage.
import * as fs from 'node:fs';
import type * as Http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { context, trace, type Span } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  configure,
  getActivityStats,
  loadConfig,
  recordUsage,
  setUser,
  startActivityTracing,
  trackActivity,
  trackAuth,
  trackExternalCall,
  type ActivityTracing,
} from '../sdk/index';
import { requestStateOf } from '../sdk/runtime/request-state';
import { freePort } from './helpers/free-port';
import { pollUntil } from './helpers/wait-until';

const exporter = new InMemorySpanExporter();
const LLM_BODY = JSON.stringify({ model: 'test-model', usage: { prompt_tokens: 1200, completion_tokens: 300 } });
let tracing: ActivityTracing;
let http: typeof Http;
let app: Http.Server;
let llm: Http.Server;
let appUrl = '';
let llmUrl = '';

/** Requests from the test itself are not traced, so only the app's own spans are exported. */
function untraced<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), fn);
}

async function call(pathAndQuery: string, init: RequestInit = {}): Promise<{ status: number; body: string }> {
  return untraced(async () => {
    const response = await fetch(`${appUrl}${pathAndQuery}`, init);
    return { status: response.status, body: await response.text() };
  });
}

async function waitFor(predicate: (span: ReadableSpan) => boolean, count = 1): Promise<ReadableSpan[]> {
  return pollUntil(() => exporter.getFinishedSpans().filter(predicate), (found) => found.length >= count, 3000, 10);
}

const kindIs = (kind: string) => (span: ReadableSpan) => span.attributes['activity.kind'] === kind;

function llmHttpRequest(): Promise<{ usage: { prompt_tokens: number; completion_tokens: number } }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ model: 'test-model', messages: [] });
    const request = http.request(
      `${llmUrl}/v1/chat/completions?api_key=sk-secret`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve(JSON.parse(text) as { usage: { prompt_tokens: number; completion_tokens: number } }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

beforeAll(async () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-sdk-'));
  fs.writeFileSync(path.join(cwd, 'package.json'), JSON.stringify({ name: 'spans-test-app', version: '1.2.3' }));
  const config = loadConfig({
    env: {},
    overrides: {
      sdk: {
        exportMode: 'none',
        trustProxy: true,
        authRoutes: { 'POST /api/users/login': 'login', 'POST /api/users': 'signup' },
        externalServices: { '127.0.0.1': 'fakellm' },
        modelPrices: { 'test-model': { inputPerMillion: 2, outputPerMillion: 8 } },
      },
    },
  });
  tracing = startActivityTracing(config, { exporter, simpleProcessor: true, cwd });
  // Required after the instrumentation is enabled, as an app preloaded with --require would.
  http = createRequire(__filename)('node:http') as typeof Http;

  llm = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = LLM_BODY;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
  llmUrl = `http://127.0.0.1:${(llm.address() as AddressInfo).port}`;

  app = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    req.resume();
    await new Promise((resolve) => req.on('end', resolve));
    if (url.pathname === '/api/users/login') {
      res.statusCode = url.searchParams.get('ok') === '1' ? 200 : 401;
      if (res.statusCode === 200) setUser({ id: 'alice', sessionId: 's-1' });
      res.end();
    } else if (url.pathname === '/api/users') {
      res.statusCode = 201;
      res.end();
    } else if (url.pathname === '/call-down') {
      setUser({ id: 'erin' });
      // An http.request to a port nothing listens on: the call fails before any response.
      const outcome = await new Promise<string>((resolve) => {
        http.get(`http://127.0.0.1:${url.searchParams.get('port')}/v1/charge`, (r) => r.resume()).on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
      res.end(outcome);
    } else if (url.pathname === '/custom-span-call') {
      setUser({ id: 'dana' });
      // The app's own span through the API alone (no SDK of its own): a non-recording span in our request's trace.
      await trace.getTracer('app').startActiveSpan('lookup', async (span) => {
        const response = await fetch(`${llmUrl}/v1/chat/completions`, { method: 'POST', body: '{"model":"test-model"}' });
        await response.text();
        span.end();
      });
      res.end('done');
    } else if (url.pathname === '/llm-fetch') {
      setUser({ id: 'bob', sessionId: 's-2' });
      const response = await fetch(`${llmUrl}/v1/chat/completions?key=sk-secret`, { method: 'POST', body: '{"model":"test-model"}' });
      const json = (await response.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      res.end(String(json.usage.prompt_tokens));
    } else if (url.pathname === '/llm-tracked') {
      setUser({ id: 'carol' });
      const json = await trackExternalCall(
        'fakellm',
        async () => {
          const result = await llmHttpRequest();
          recordUsage({ model: 'test-model', inputTokens: result.usage.prompt_tokens, outputTokens: result.usage.completion_tokens });
          return result;
        },
        { model: 'test-model' },
      );
      res.end(String(json.usage.completion_tokens));
    } else if (url.pathname === '/manual-auth') {
      trackAuth({ event: 'password_reset', userId: 'dave', method: 'email' });
      trackActivity({ action: 'project.create', resourceType: 'project', resourceId: 77, details: { plan: 'pro' } });
      res.end('ok');
    } else if (url.pathname === '/boom') {
      res.statusCode = 503;
      res.statusMessage = 'Database Unavailable';
      res.end();
    } else {
      res.setHeader('content-length', 2);
      res.end('ok');
    }
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  app?.close();
  llm?.close();
  await tracing?.shutdown();
});

beforeEach(() => {
  exporter.reset();
  configure({ identify: undefined });
});

describe('access spans', () => {
  it('normalises the route, redacts the query, anonymises the client and parses the user agent', async () => {
    const response = await call('/orders/12345/items/3f2b8c1e-9a4d-4c7e-8f00-1234567890ab?token=abc&page=2', {
      headers: {
        'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1',
        'x-forwarded-for': '203.0.113.77, 10.0.0.1',
      },
    });
    expect(response).toEqual({ status: 200, body: 'ok' });
    const [span] = await waitFor(kindIs('access'));
    expect(span.name).toBe('GET /orders/:id/items/:id');
    expect(span.attributes).toMatchObject({
      'activity.kind': 'access',
      'http.request.method': 'GET',
      'http.route': '/orders/:id/items/:id',
      'url.path': '/orders/12345/items/3f2b8c1e-9a4d-4c7e-8f00-1234567890ab',
      'url.query': 'token=REDACTED&page=2',
      'http.response.status_code': 200,
      'http.response.body.size': 2,
      'client.address': '203.0.113.0',
      'activity.user_agent.browser': 'Safari',
      'activity.user_agent.os': 'iOS',
      'activity.user_agent.device_type': 'mobile',
    });
    expect(span.attributes['network.peer.address']).toBeUndefined();
    expect(span.resource.attributes['service.name']).toBe('spans-test-app');
    expect(span.resource.attributes['service.version']).toBe('1.2.3');
  });

  it('anonymises an IPv6 client to its /48', async () => {
    await call('/page', { headers: { 'x-forwarded-for': '2001:db8:85a3:8d3:1319:8a2e:370:7348' } });
    const [span] = await waitFor(kindIs('access'));
    expect(span.attributes['client.address']).toBe('2001:db8:85a3::');
  });

  it('does not track skipped paths', async () => {
    await call('/healthz');
    await call('/assets/app.css');
    await call('/tracked');
    const spans = await waitFor(kindIs('access'));
    expect(spans.map((s) => s.attributes['url.path'])).toEqual(['/tracked']);
  });

  it('sets error.message on a 5xx', async () => {
    expect((await call('/boom')).status).toBe(503);
    const [span] = await waitFor(kindIs('access'));
    expect(span.attributes['http.response.status_code']).toBe(503);
    expect(span.attributes['error.message']).toBe('Database Unavailable');
  });

  it('takes the user from the identify hook, and a throwing hook does not fail the request', async () => {
    configure({ identify: (req) => ({ id: String(req.headers['x-user']), sessionId: 'sess-9' }) });
    await call('/me', { headers: { 'x-user': 'erin' } });
    const [identified] = await waitFor(kindIs('access'));
    expect(identified.attributes['user.id']).toBe('erin');
    expect(identified.attributes['session.id']).toBe('sess-9');

    exporter.reset();
    const before = getActivityStats().hookErrors;
    configure({
      identify: () => {
        throw new Error('session store down');
      },
    });
    const response = await call('/me');
    expect(response).toEqual({ status: 200, body: 'ok' });
    const [span] = await waitFor(kindIs('access'));
    expect(span.attributes['user.id']).toBeUndefined();
    expect(getActivityStats().hookErrors).toBe(before + 1);
  });
});

describe('auth events', () => {
  it('turns configured auth routes into signup, login and login_failed spans', async () => {
    await call('/api/users', { method: 'POST', body: '{}' });
    await call('/api/users/login?ok=1', { method: 'POST', body: '{}' });
    await call('/api/users/login', { method: 'POST', body: '{}' });
    const auth = await waitFor(kindIs('auth'), 3);
    const access = await waitFor(kindIs('access'), 3);
    expect(auth.map((s) => [s.attributes['activity.auth.event'], s.attributes['activity.auth.success']])).toEqual([
      ['signup', true],
      ['login', true],
      ['login_failed', false],
    ]);
    // One auth span per request, a child of its access span, sharing its trace id.
    for (let i = 0; i < 3; i++) {
      expect(auth[i].spanContext().traceId).toBe(access[i].spanContext().traceId);
      expect(auth[i].parentSpanContext?.spanId).toBe(access[i].spanContext().spanId);
      expect(auth[i].attributes['client.address']).toBe('127.0.0.0');
      expect(auth[i].attributes['user_agent.original']).toBe('node');
    }
    expect(auth[1].attributes['user.id']).toBe('alice');
    expect(auth[1].attributes['session.id']).toBe('s-1');
  });

  it('records trackAuth and trackActivity calls as one span each with the request identity', async () => {
    await call('/manual-auth', { headers: { 'user-agent': 'curl/8.5.0' } });
    const [auth] = await waitFor(kindIs('auth'));
    expect(auth.attributes).toMatchObject({
      'activity.auth.event': 'password_reset',
      'activity.auth.success': true,
      'activity.auth.method': 'email',
      'user.id': 'dave',
      'client.address': '127.0.0.0',
      'user_agent.original': 'curl/8.5.0',
      'activity.user_agent.device_type': 'bot',
    });
    const [custom] = await waitFor(kindIs('custom'));
    expect(custom.attributes).toMatchObject({
      'activity.action': 'project.create',
      'activity.resource.type': 'project',
      'activity.resource.id': '77',
      'activity.details': '{"plan":"pro"}',
      // The user of the auth event became the request's user.
      'user.id': 'dave',
    });
    expect(exporter.getFinishedSpans().filter(kindIs('auth'))).toHaveLength(1);
  });
});

describe('external calls', () => {
  it('maps a fetch call to its service with a redacted URL, sizes and the request user', async () => {
    expect((await call('/llm-fetch')).body).toBe('1200');
    const [external] = await waitFor(kindIs('external'));
    // The fake LLM is instrumented too: its own access span is in the same trace; ours is /llm-fetch.
    const [access] = await waitFor((s) => s.attributes['url.path'] === '/llm-fetch');
    expect(external.attributes).toMatchObject({
      'activity.external.service': 'fakellm',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'url.full': `${llmUrl}/v1/chat/completions?key=REDACTED`,
      'http.request.body.size': 22,
      'http.response.body.size': Buffer.byteLength(LLM_BODY),
      'user.id': 'bob',
      'session.id': 's-2',
    });
    expect(external.parentSpanContext?.spanId).toBe(access.spanContext().spanId);
    // Ended spans wait in the export batch: they no longer hold the request, the response or their buffers.
    expect(requestStateOf(access as unknown as Span)).toBeUndefined();
    expect(requestStateOf(external as unknown as Span)).toBeUndefined();
  });

  it('records an http.request that fails before a response as a failed external call of the request user', async () => {
    const port = await freePort();
    expect((await call(`/call-down?port=${port}`)).body).toBe('ECONNREFUSED');
    const [access] = await waitFor((s) => s.attributes['url.path'] === '/call-down');
    const [external] = await waitFor((s) => kindIs('external')(s) && s.attributes['user.id'] === 'erin');
    expect(external.attributes).toMatchObject({
      'activity.external.service': 'fakellm',
      'http.request.method': 'GET',
      'url.full': `http://127.0.0.1:${port}/v1/charge`,
      'server.port': port,
      'error.type': 'ECONNREFUSED',
      'error.message': expect.stringContaining('ECONNREFUSED'),
    });
    expect(external.attributes['http.response.status_code']).toBeUndefined();
    expect(external.status.code).toBe(2);
    expect(external.parentSpanContext?.spanId).toBe(access.spanContext().spanId);
  });

  it('keeps the request user and parent for a call made inside an app span of the API with no SDK behind it', async () => {
    expect((await call('/custom-span-call')).body).toBe('done');
    const [access] = await waitFor((s) => s.attributes['url.path'] === '/custom-span-call');
    const external = exporter.getFinishedSpans().filter((s) => kindIs('external')(s) && s.attributes['user.id'] === 'dana');
    expect(external).toHaveLength(1);
    expect(external[0].parentSpanContext?.spanId).toBe(access.spanContext().spanId);
    expect(external[0].spanContext().traceId).toBe(access.spanContext().traceId);
  });

  it('folds an http call inside trackExternalCall into one external span with tokens and cost', async () => {
    expect((await call('/llm-tracked')).body).toBe('300');
    const [access] = await waitFor((s) => s.attributes['url.path'] === '/llm-tracked');
    const externals = exporter.getFinishedSpans().filter(kindIs('external'));
    expect(externals).toHaveLength(1);
    expect(externals[0].attributes).toMatchObject({
      'activity.external.service': 'fakellm',
      'gen_ai.request.model': 'test-model',
      'gen_ai.response.model': 'test-model',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 300,
      // 1200 × $2/M + 300 × $8/M
      'activity.cost.usd': 0.0048,
      'http.request.method': 'POST',
      'http.response.status_code': 200,
      'url.full': `${llmUrl}/v1/chat/completions?api_key=REDACTED`,
      'user.id': 'carol',
    });
    expect(externals[0].spanContext().traceId).toBe(access.spanContext().traceId);
  });
});
