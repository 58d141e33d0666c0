/**
 * Privacy at the app boundary: what an app under `node --require otel-activity/register` really sends over the wire
 * (captured by a real OTLP/HTTP receiver) holds no full client IP, no sensitive query value, no header, no body, and
 * a capped user agent, with the default configuration.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESPONSE_SECRET, startFixtureApp, type FixtureApp } from './helpers/fixture-app';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver';

const SECRETS = {
  queryToken: 'qtok-SECRET-1111',
  queryPassword: 'qpw-SECRET-2222',
  queryApiKey: 'qkey-SECRET-3333',
  authorization: 'authz-SECRET-4444',
  cookie: 'cookie-SECRET-5555',
  apiKeyHeader: 'xkey-SECRET-6666',
  requestBody: 'body-SECRET-7777',
  outboundSig: 'osig-SECRET-8888',
  outboundToken: 'otok-SECRET-9999',
  externalBody: 'ext-SECRET-0000',
  response: RESPONSE_SECRET,
};

let receiver: OtlpReceiver;
let external: http.Server;
let app: FixtureApp;
let exit: { code: number | null; signal: NodeJS.Signals | null };
const LONG_UA = 'Mozilla/5.0 (X11; Linux x86_64) ' + 'A'.repeat(5000);

async function request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<number> {
  const response = await fetch(`${app.baseUrl}${path}`, init);
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  external = http.createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ secret: SECRETS.externalBody }));
  });
  await new Promise<void>((r) => external.listen(0, '127.0.0.1', r));
  const externalPort = (external.address() as AddressInfo).port;
  app = await startFixtureApp({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: 'privacy-app',
    OTEL_ACTIVITY_AUTH_ROUTES: JSON.stringify({ 'POST /login': 'login' }),
    TARGET_URL: `http://127.0.0.1:${externalPort}/v1/thing?sig=${SECRETS.outboundSig}&token=${SECRETS.outboundToken}&page=2`,
  });
  const sensitiveHeaders = {
    authorization: `Bearer ${SECRETS.authorization}`,
    cookie: `sid=${SECRETS.cookie}`,
    'x-api-key': SECRETS.apiKeyHeader,
    'user-agent': LONG_UA,
  };
  expect(await request(`/items/42?token=${SECRETS.queryToken}&q=hello&Password=${SECRETS.queryPassword}&API_KEY=${SECRETS.queryApiKey}`, { headers: sensitiveHeaders })).toBe(200);
  expect(await request('/login', { method: 'POST', headers: { ...sensitiveHeaders, 'content-type': 'application/json' }, body: JSON.stringify({ password: SECRETS.requestBody, good: 'good' }) })).toBe(200);
  expect(await request('/call', { headers: sensitiveHeaders })).toBe(200);
  // No explicit flush: SIGTERM is how apps end, and register must flush on it.
  exit = await app.stop('SIGTERM');
}, 60_000);

afterAll(async () => {
  await app?.dispose();
  await receiver?.close();
  await new Promise((r) => external?.close(r));
});

function spanWith(predicate: (s: ReceivedSpan) => boolean, what: string): ReceivedSpan {
  const span = receiver.spans.find(predicate);
  if (!span) throw new Error(`no ${what} span among: ${receiver.spans.map((s) => `${s.name} ${JSON.stringify(s.attributes)}`).join('\n')}`);
  return span;
}

describe('what an app under register sends (default config)', () => {
  it('exits by the usual SIGTERM status after flushing, with the spans of every answered request delivered', () => {
    expect(exit.signal).toBe('SIGTERM');
    const kinds = receiver.spans.map((s) => s.attributes['activity.kind']).filter(Boolean);
    expect(kinds.filter((k) => k === 'access').length).toBe(3);
    expect(kinds.filter((k) => k === 'auth').length).toBe(1);
    expect(kinds.filter((k) => k === 'external').length).toBe(1);
  });

  it('sends no secret from a query string, header, request body or response body anywhere in the payload', () => {
    const everything = receiver.raw.map((r) => r.body).join('\n');
    expect(everything.length).toBeGreaterThan(0);
    for (const [name, secret] of Object.entries(SECRETS)) {
      expect(everything.includes(secret), `${name} (${secret}) leaked into the OTLP payload`).toBe(false);
    }
  });

  it('anonymises the client address to its /24 and sends no raw peer address', () => {
    const access = spanWith((s) => s.attributes['url.path'] === '/items/42', 'access /items/42');
    expect(access.attributes['client.address']).toBe('127.0.0.0');
    for (const span of receiver.spans.filter((s) => s.attributes['activity.kind'] === 'access' || s.attributes['activity.kind'] === 'auth')) {
      for (const key of ['network.peer.address', 'net.peer.ip', 'net.sock.peer.addr', 'http.client_ip']) {
        expect(span.attributes[key], `${span.name} carries ${key}`).toBeUndefined();
      }
      const fullIpKeys = Object.entries(span.attributes)
        .filter(([, v]) => typeof v === 'string' && v.includes('127.0.0.1'))
        .map(([k]) => k);
      // Only the server's own address may appear (the app listens on 127.0.0.1); never a client one.
      expect(fullIpKeys.filter((k) => !['server.address', 'network.local.address', 'net.host.name', 'http.host', 'url.full'].includes(k))).toEqual([]);
    }
  });

  it('redacts sensitive query parameters case-insensitively and keeps the others', () => {
    const access = spanWith((s) => s.attributes['url.path'] === '/items/42', 'access /items/42');
    expect(access.attributes['url.query']).toBe('token=REDACTED&q=hello&Password=REDACTED&API_KEY=REDACTED');
    const externalCall = spanWith((s) => s.attributes['activity.kind'] === 'external', 'external');
    const url = String(externalCall.attributes['url.full']);
    expect(url).toContain('page=2');
    expect(url).not.toContain(SECRETS.outboundSig);
    expect(url).not.toContain(SECRETS.outboundToken);
  });

  it('caps the user agent at 512 characters', () => {
    const access = spanWith((s) => s.attributes['url.path'] === '/items/42', 'access /items/42');
    expect(access.attributes['user_agent.original']).toBe(LONG_UA.slice(0, 512));
    for (const span of receiver.spans) {
      for (const [key, value] of Object.entries(span.attributes)) {
        if (typeof value === 'string') expect(value.length, `${span.name} ${key}`).toBeLessThanOrEqual(4096);
      }
    }
  });

  it('captures no request or response header as an attribute', () => {
    const headerKeys = receiver.spans.flatMap((s) => Object.keys(s.attributes).filter((k) => /header|cookie|authorization/i.test(k)));
    expect(headerKeys).toEqual([]);
  });
});
