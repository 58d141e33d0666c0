/**
 * Identity with no app code: real express and fastify apps under `node --require sdk/dist/register.js` get user.id
 * from a JWT claim, session.id from a hashed session cookie, and failed logins name the account from one JSON body
 * field, while the password in that body reaches no span, row, spool file or log, and the app sees its body unchanged.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtClaim } from '../sdk/user/jwt-claim';
import { sessionCookieValue } from '../sdk/user/session-cookie';
import { startFixtureApp, type FixtureApp } from './helpers/fixture-app';
import { freePort } from './helpers/free-port';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver';
import { REPO_ROOT, SDK_INDEX } from './helpers/built-paths';
import { createService, type ServiceProcess } from './helpers/service-process';
import { pollUntil } from './helpers/wait-until';

const PASSWORD = 'pw-SECRET-9c1e77';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}.${randomBytes(32).toString('base64url')}`;
const sha32 = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

const TOKEN_42 = jwt({ sub: 'user-42', iat: 1700000000 });
const CONNECT_SID = 's%3Araw-session-RAW-4242.Xy9sig';
/** Not JWTs, or JWTs we must not use: each request still answers 200, names nobody, logs nothing. */
const BAD_AUTHORIZATION: Record<string, string> = {
  opaque: 'Bearer not-a-jwt-RAW-opaque',
  twoParts: `Bearer ${b64({ alg: 'none' })}.${b64({ sub: 'two-parts' })}`,
  jwe: `Bearer a.${b64({ sub: 'jwe' })}.c.d.e`,
  badBase64: 'Bearer aaa.!!!%%%.ccc',
  notJson: `Bearer ${b64({ alg: 'none' })}.${b64('{"sub": "broken')}.sig`,
  array: `Bearer ${b64({ alg: 'none' })}.${b64(['user-42'])}.sig`,
  objectClaim: `Bearer ${jwt({ sub: { id: 'obj' } })}`,
  booleanClaim: `Bearer ${jwt({ sub: true })}`,
  emptyClaim: `Bearer ${jwt({ sub: '' })}`,
  protoClaim: `Bearer ${b64({ alg: 'none' })}.${b64('{"__proto__": {"sub": "proto"}}')}.sig`,
  huge: `Bearer ${jwt({ sub: 'huge-user', pad: 'p'.repeat(9000) })}`,
  basic: `Basic ${Buffer.from('ann:pw').toString('base64')}`,
};

/** Routes both apps have: /me, /as-app-user (setUser), POST /api/users/login (reads `user` or the body itself). */
const LOGIN_HANDLER = `
  const body = req.body || {};
  const user = body.user || body;
  const ok = user.password === 'correct horse';
  return { status: ok ? 200 : 401, json: { email: user.email, passwordLength: String(user.password || '').length, padLength: String(body.pad || '').length } };
`;
const IDENTIFY = `configure({ identify: (req) => (req.headers['x-app-user'] ? { id: req.headers['x-app-user'] } : undefined) });`;

const expressApp = (pkg: string) => `
const express = require(${JSON.stringify(path.join(REPO_ROOT, 'node_modules', pkg))});
const { setUser, configure, trackActivity } = require(${JSON.stringify(SDK_INDEX)});
${IDENTIFY}
const login = (req) => { ${LOGIN_HANDLER} };
const app = express();
app.use(express.json({ limit: '1mb' }));
// Identity runs early here (trackActivity), from the bearer token; the app's setUser() afterwards still wins.
app.post('/api/users/login-known', (req, res) => { trackActivity({ action: 'login.attempt' }); setUser({ id: 'known-1' }); res.status(401).json({}); });
app.get('/me', (req, res) => { res.json({ ok: true }); });
app.get('/as-app-user', (req, res) => { setUser({ id: 'set-by-app-7' }); res.json({ ok: true }); });
app.post('/api/users/login', (req, res) => { const r = login(req); res.status(r.status).json(r.json); });
const server = app.listen(0, '127.0.0.1', () => process.stdout.write('LISTENING ' + server.address().port + '\\n'));
server.keepAliveTimeout = 100;
`;

const fastifyApp = (pkg: string) => `
const fastify = require(${JSON.stringify(path.join(REPO_ROOT, 'node_modules', pkg))})({ logger: false });
const { setUser, configure } = require(${JSON.stringify(SDK_INDEX)});
${IDENTIFY}
const login = (req) => { ${LOGIN_HANDLER} };
fastify.get('/me', async () => ({ ok: true }));
fastify.get('/as-app-user', async () => { setUser({ id: 'set-by-app-7' }); return { ok: true }; });
fastify.post('/api/users/login', async (request, reply) => { const r = login(request); reply.code(r.status); return r.json; });
fastify.listen({ port: 0, host: '127.0.0.1' }).then(() => {
  fastify.server.keepAliveTimeout = 100;
  process.stdout.write('LISTENING ' + fastify.server.address().port + '\\n');
});
`;

// Each app gets its own disk buffer of unsent spans: the default one is shared by every process of a service name,
// so spans one run could not send would otherwise reach the next run's receiver.
const BUFFER_ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-identity-'));
let buffers = 0;
function startApp(env: Record<string, string>, source: string): Promise<FixtureApp> {
  return startFixtureApp({ OTEL_ACTIVITY_BUFFER_DIR: path.join(BUFFER_ROOT, String(buffers++)), ...env }, source);
}
afterAll(() => fs.rmSync(BUFFER_ROOT, { recursive: true, force: true }));

/** Every file under `dir` as one text, once `predicate` holds for it (or 20 s pass). */
function filesText(dir: string, predicate: (text: string) => boolean): Promise<string> {
  const read = () => {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) : [];
    return files
      .map((f) => path.join(dir, f))
      .map((f) => {
        try {
          // latin1: buffer files are OTLP protobuf; the ASCII strings we look for read the same in it.
          return fs.statSync(f).isFile() ? fs.readFileSync(f, 'latin1') : '';
        } catch {
          return ''; // claimed (renamed) by a sender between the listing and the read
        }
      })
      .join('\n');
  };
  return pollUntil(read, predicate, 20_000, 100);
}

const EXPRESS_APP = expressApp('express');
const FASTIFY_APP = fastifyApp('fastify');

interface Sent {
  readonly status: number;
  readonly json: Record<string, unknown>;
}

async function send(app: FixtureApp, pathAndQuery: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Sent> {
  const response = await fetch(`${app.baseUrl}${pathAndQuery}`, init);
  const text = await response.text();
  return { status: response.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const loginBody = (email: string, password: string, pad = '') => JSON.stringify({ user: { email, password }, ...(pad === '' ? {} : { pad }) });
const JSON_HEADERS = { 'content-type': 'application/json' };

/** The requests every default-config app gets; `case=` in the query tells their rows apart. */
async function driveDefaultApp(app: FixtureApp): Promise<Record<string, Sent>> {
  const sent: Record<string, Sent> = {};
  sent.bearer = await send(app, '/me?case=bearer', { headers: { authorization: `Bearer ${TOKEN_42}` } });
  sent.token = await send(app, '/me?case=token', { headers: { authorization: `Token ${jwt({ sub: 'user-43' })}` } });
  sent.numeric = await send(app, '/me?case=numeric', { headers: { authorization: `bearer ${jwt({ sub: 1001 })}` } });
  sent.setUser = await send(app, '/as-app-user?case=setuser', { headers: { authorization: `Bearer ${TOKEN_42}` } });
  sent.identify = await send(app, '/me?case=identify', { headers: { authorization: `Bearer ${TOKEN_42}`, 'x-app-user': 'hook-user-9', cookie: `connect.sid=${CONNECT_SID}` } });
  sent.cookie = await send(app, '/me?case=cookie', { headers: { cookie: `theme=dark; connect.sid=${CONNECT_SID}; other=1` } });
  sent.cookieOrder = await send(app, '/me?case=cookie-order', { headers: { cookie: 'sid=later-in-list; Connect.SID="quoted-first"' } });
  sent.otherCookie = await send(app, '/me?case=other-cookie', { headers: { cookie: 'theme=dark; sessionx=1' } });
  for (const [name, authorization] of Object.entries(BAD_AUTHORIZATION)) sent[`bad-${name}`] = await send(app, `/me?case=bad-${name}`, { headers: { authorization } });
  const post = (c: string, body: string, headers: Record<string, string> = {}) =>
    send(app, `/api/users/login?case=${c}`, { method: 'POST', headers: { ...JSON_HEADERS, ...headers }, body });
  sent.loginFailed = await post('login-failed', loginBody('ann@example.com', PASSWORD), { authorization: `Bearer ${TOKEN_42}` });
  sent.loginOk = await post('login-ok', loginBody('bob@example.com', 'correct horse'));
  sent.loginHuge = await post('login-huge', loginBody('carl@example.com', PASSWORD, 'x'.repeat(20_000)));
  sent.loginNumber = await post('login-number', JSON.stringify({ user: { email: 5551234, password: PASSWORD } }));
  return sent;
}

function expectAppSawItsBodies(sent: Record<string, Sent>): void {
  expect(sent.loginFailed).toEqual({ status: 401, json: { email: 'ann@example.com', passwordLength: PASSWORD.length, padLength: 0 } });
  expect(sent.loginOk).toEqual({ status: 200, json: { email: 'bob@example.com', passwordLength: 13, padLength: 0 } });
  expect(sent.loginHuge).toEqual({ status: 401, json: { email: 'carl@example.com', passwordLength: PASSWORD.length, padLength: 20_000 } });
  for (const [name, s] of Object.entries(sent)) if (!name.startsWith('login')) expect(s.status, name).toBe(200);
}

describe('express 5 app, identity from config only', () => {
  let receiver: OtlpReceiver;
  let app: FixtureApp;
  let custom: FixtureApp;
  let buffered: FixtureApp;
  let bufferDir: string;
  let sent: Record<string, Sent>;
  let customSent: Record<string, Sent>;

  const spansOf = (service: string) => receiver.spans.filter((s) => s.resource['service.name'] === service);
  const access = (service: string, c: string): ReceivedSpan => {
    const found = spansOf(service).filter((s) => s.attributes['activity.kind'] === 'access' && s.attributes['url.query'] === `case=${c}`);
    expect(found.length, `access span case=${c}`).toBe(1);
    return found[0]!;
  };
  const authOf = (service: string, c: string): ReceivedSpan => {
    const traceId = access(service, c).traceId;
    const found = spansOf(service).filter((s) => s.attributes['activity.kind'] === 'auth' && s.traceId === traceId);
    expect(found.length, `auth span case=${c}`).toBe(1);
    return found[0]!;
  };

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_ACTIVITY_AUTH_ROUTES: JSON.stringify({ 'POST /api/users/login': 'login', 'POST /api/users/login-known': 'login' }) };
    [app, custom] = await Promise.all([
      startApp({ ...base, OTEL_SERVICE_NAME: 'express-default', OTEL_ACTIVITY_AUTH_ACCOUNT_FIELD: 'user.email' }, EXPRESS_APP),
      startApp({ ...base, OTEL_SERVICE_NAME: 'express-custom', OTEL_ACTIVITY_IDENTIFY_JWT_CLAIM: 'https://shop.example/uid', OTEL_ACTIVITY_SESSION_COOKIES: 'shop.sess' }, EXPRESS_APP),
    ]);
    sent = await driveDefaultApp(app);
    sent.loginKnown = await send(app, '/api/users/login-known?case=login-known', {
      method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${TOKEN_42}` }, body: loginBody('ann@example.com', PASSWORD),
    });
    customSent = {
      claim: await send(custom, '/me?case=claim', { headers: { authorization: `Bearer ${jwt({ sub: 'user-42', 'https://shop.example/uid': 'shop-77' })}` } }),
      subOnly: await send(custom, '/me?case=sub-only', { headers: { authorization: `Bearer ${TOKEN_42}` } }),
      cookie: await send(custom, '/me?case=cookie', { headers: { cookie: `connect.sid=${CONNECT_SID}; shop.sess=shop-RAW-cookie` } }),
      defaultCookie: await send(custom, '/me?case=default-cookie', { headers: { cookie: `connect.sid=${CONNECT_SID}` } }),
      // No authAccountField here: the auth event names nobody, whatever the body holds.
      login: await send(custom, '/api/users/login?case=login', { method: 'POST', headers: JSON_HEADERS, body: loginBody('dan@example.com', PASSWORD) }),
    };
    // SIGTERM flushes every span to the receiver before the app exits.
    await Promise.all([app.stop('SIGTERM'), custom.stop('SIGTERM')]);
  }, 90_000);

  afterAll(async () => {
    await app?.dispose();
    await custom?.dispose();
    await buffered?.dispose();
    await receiver?.close();
    if (bufferDir) fs.rmSync(bufferDir, { recursive: true, force: true });
  });

  it('takes user.id from the sub claim of a Bearer or Token JWT; setUser() and the identify hook win over it', () => {
    expect(access('express-default', 'bearer').attributes['user.id']).toBe('user-42');
    expect(access('express-default', 'token').attributes['user.id']).toBe('user-43');
    expect(access('express-default', 'numeric').attributes['user.id']).toBe('1001');
    expect(access('express-default', 'setuser').attributes['user.id']).toBe('set-by-app-7');
    expect(access('express-default', 'identify').attributes['user.id']).toBe('hook-user-9');
    // The hook named no session: the cookie still fills it.
    expect(access('express-default', 'identify').attributes['session.id']).toBe(sha32(CONNECT_SID));
  });

  it('takes user.id from a configured custom claim, and then not from sub', () => {
    expect(Object.values(customSent).map((s) => s.status)).toEqual([200, 200, 200, 200, 401]);
    expect(access('express-custom', 'claim').attributes['user.id']).toBe('shop-77');
    expect(access('express-custom', 'sub-only').attributes['user.id']).toBeUndefined();
  });

  it('ignores malformed, encrypted, oversized and non-bearer tokens: the request answers, nobody is named, nothing is logged', () => {
    expectAppSawItsBodies(sent);
    for (const name of Object.keys(BAD_AUTHORIZATION)) expect(access('express-default', `bad-${name}`).attributes['user.id'], name).toBeUndefined();
    expect(app.output()).not.toMatch(/otel-activity|error|warn/i);
  });

  it('stores session.id as the sha256 of the named session cookie, never its value', () => {
    expect(access('express-default', 'cookie').attributes['session.id']).toBe(sha32(CONNECT_SID));
    expect(access('express-default', 'cookie-order').attributes['session.id']).toBe(sha32('quoted-first'));
    expect(access('express-default', 'other-cookie').attributes['session.id']).toBeUndefined();
    expect(access('express-custom', 'cookie').attributes['session.id']).toBe(sha32('shop-RAW-cookie'));
    expect(access('express-custom', 'default-cookie').attributes['session.id']).toBeUndefined();
    const everything = receiver.raw.map((r) => r.body).join('\n');
    for (const raw of [CONNECT_SID, 'raw-session-RAW-4242', 'shop-RAW-cookie', 'quoted-first', TOKEN_42, 'RAW-opaque']) expect(everything).not.toContain(raw);
  });

  it('names the account a failed login tried, from user.email, and the password reaches no span and no log', () => {
    const failed = authOf('express-default', 'login-failed');
    expect(failed.attributes).toMatchObject({ 'activity.auth.event': 'login_failed', 'activity.auth.success': false, 'user.id': 'ann@example.com' });
    // The bearer token still names the user of the access row; the auth event is about the account tried.
    expect(access('express-default', 'login-failed').attributes['user.id']).toBe('user-42');
    expect(authOf('express-default', 'login-ok').attributes).toMatchObject({ 'activity.auth.event': 'login', 'user.id': 'bob@example.com' });
    expect(authOf('express-default', 'login-number').attributes['user.id']).toBe('5551234');
    // setUser() after the token had filled the user: the app's word wins over the body's account.
    expect(authOf('express-default', 'login-known').attributes).toMatchObject({ 'activity.auth.event': 'login_failed', 'user.id': 'known-1' });
    // Past the 16 KiB bound the body is not looked at.
    expect(authOf('express-default', 'login-huge').attributes['user.id']).toBeUndefined();
    expect(authOf('express-custom', 'login').attributes['user.id']).toBeUndefined();
    const everything = receiver.raw.map((r) => r.body).join('\n');
    expect(everything).toContain('ann@example.com');
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain('correct horse');
    expect(app.output() + custom.output()).not.toContain(PASSWORD);
  });

  it("keeps the password out of the app's disk buffer of unsent spans too", async () => {
    bufferDir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-identity-buffer-'));
    buffered = await startApp({
      OTEL_SERVICE_NAME: 'express-buffered',
      // Nobody listens there: every batch goes to the buffer.
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      OTEL_ACTIVITY_BUFFER_DIR: bufferDir,
      OTEL_ACTIVITY_AUTH_ROUTES: JSON.stringify({ 'POST /api/users/login': 'login' }),
      OTEL_ACTIVITY_AUTH_ACCOUNT_FIELD: 'user.email',
    }, EXPRESS_APP);
    const login = await send(buffered, '/api/users/login', { method: 'POST', headers: JSON_HEADERS, body: loginBody('fay@example.com', PASSWORD) });
    expect(login.status).toBe(401);
    const text = await filesText(bufferDir, (t) => t.includes('fay@example.com'));
    expect(text).toContain('fay@example.com');
    expect(text).toContain('login_failed');
    expect(text).not.toContain(PASSWORD);
    expect(buffered.output()).not.toContain(PASSWORD);
  });
});

describe('fastify 5 app, identity from config only, as stored rows', () => {
  let service: ServiceProcess;
  let app: FixtureApp;
  let spooling: FixtureApp;
  let spoolDir: string;
  let sent: Record<string, Sent>;
  let spoolSent: Record<string, Sent>;
  let accessRows: Array<{ query: string; user_id: string; session_id: string; trace_id: string }>;
  let authRows: Array<{ trace_id: string; event: string; success: boolean; user_id: string }>;
  let accessTrace: Map<string, string>;
  let everyRow: string;

  const row = (c: string) => {
    const found = accessRows.filter((r) => r.query === `case=${c}`);
    expect(found.length, `access row case=${c}`).toBe(1);
    return found[0]!;
  };
  const authRow = (c: string) => {
    const found = authRows.filter((r) => r.trace_id === accessTrace.get(c));
    expect(found.length, `auth row case=${c}`).toBe(1);
    return found[0]!;
  };
  const spoolText = (predicate: (text: string) => boolean) => filesText(spoolDir, predicate);

  beforeAll(async () => {
    service = await createService({ env: { OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '100' } });
    await service.start();
    spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-identity-spool-'));
    const authRoutes = JSON.stringify({ 'POST /api/users/login': 'login' });
    [app, spooling] = await Promise.all([
      startApp({ OTEL_EXPORTER_OTLP_ENDPOINT: service.baseUrl, OTEL_SERVICE_NAME: 'fastify-default', OTEL_ACTIVITY_AUTH_ROUTES: authRoutes, OTEL_ACTIVITY_AUTH_ACCOUNT_FIELD: 'user.email' }, FASTIFY_APP),
      // In-process export to a ClickHouse that is not there: every row goes to the spool, which we read.
      startApp({
        OTEL_SERVICE_NAME: 'fastify-spool',
        OTEL_ACTIVITY_EXPORT: 'inprocess',
        OTEL_ACTIVITY_CLICKHOUSE_URL: `http://127.0.0.1:${await freePort()}`,
        OTEL_ACTIVITY_MAX_RETRIES: '0',
        OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '50',
        OTEL_ACTIVITY_SPOOL_DIR: spoolDir,
        OTEL_ACTIVITY_AUTH_ROUTES: authRoutes,
        OTEL_ACTIVITY_AUTH_ACCOUNT_FIELD: 'email',
        OTEL_ACTIVITY_IDENTIFY_JWT_CLAIM: 'user.id',
        OTEL_ACTIVITY_SESSION_COOKIES: 'sessionId',
      }, FASTIFY_APP),
    ]);
    sent = await driveDefaultApp(app);
    spoolSent = {
      claim: await send(spooling, '/me?case=claim', { headers: { authorization: `Bearer ${jwt({ sub: 'user-42', user: { id: 'nested-5' } })}`, cookie: 'sessionId=fastify-RAW-sess' } }),
      login: await send(spooling, '/api/users/login?case=login', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ email: 'eve@example.com', password: PASSWORD }) }),
    };
    await app.stop('SIGTERM');
    const n = Object.keys(sent).length;
    expect(await service.waitForCount("SELECT count() AS n FROM access_log WHERE service = 'fastify-default'", {}, n)).toBe(n);
    expect(await service.waitForCount("SELECT count() AS n FROM auth_events WHERE service = 'fastify-default'", {}, 4)).toBe(4);
    accessRows = await service.query("SELECT query, user_id, session_id, trace_id FROM access_log WHERE service = 'fastify-default'");
    accessTrace = new Map(accessRows.map((r) => [r.query.replace('case=', ''), r.trace_id]));
    authRows = await service.query("SELECT trace_id, event, success, user_id FROM auth_events WHERE service = 'fastify-default'");
    const tables = ['access_log', 'auth_events', 'external_calls', 'activities'];
    everyRow = JSON.stringify(await Promise.all(tables.map((t) => service.query(`SELECT * FROM ${t}`))));
  }, 120_000);

  afterAll(async () => {
    await app?.dispose();
    await spooling?.dispose();
    await service?.dispose();
    if (spoolDir) fs.rmSync(spoolDir, { recursive: true, force: true });
  });

  it('stores user_id from the sub claim of a Bearer or Token JWT; setUser() and the identify hook win over it', () => {
    expect(row('bearer').user_id).toBe('user-42');
    expect(row('token').user_id).toBe('user-43');
    expect(row('numeric').user_id).toBe('1001');
    expect(row('setuser').user_id).toBe('set-by-app-7');
    expect(row('identify').user_id).toBe('hook-user-9');
  });

  it('uses a configured nested claim and session cookie name (rows of an in-process app, from its spool)', async () => {
    expect(spoolSent.claim!.status).toBe(200);
    const text = await spoolText((t) => t.includes('nested-5') && t.includes('login_failed'));
    expect(text).toContain('"user_id":"nested-5"');
    expect(text).toContain(sha32('fastify-RAW-sess'));
    expect(text).not.toContain('fastify-RAW-sess');
    expect(text).not.toContain('user-42');
  });

  it('ignores malformed, encrypted, oversized and non-bearer tokens: the request answers, nobody is stored, nothing is logged', () => {
    expectAppSawItsBodies(sent);
    for (const name of Object.keys(BAD_AUTHORIZATION)) expect(row(`bad-${name}`).user_id, name).toBe('');
    expect(app.output()).not.toMatch(/otel-activity|error|warn/i);
  });

  it('stores session_id as the sha256 of the named session cookie, never its value', () => {
    expect(row('cookie').session_id).toBe(sha32(CONNECT_SID));
    expect(row('cookie-order').session_id).toBe(sha32('quoted-first'));
    expect(row('other-cookie').session_id).toBe('');
    for (const raw of [CONNECT_SID, 'raw-session-RAW-4242', 'quoted-first', TOKEN_42, 'RAW-opaque']) expect(everyRow).not.toContain(raw);
  });

  it('names the account a failed login tried in auth_events, and the password is in no row, spool file or log', async () => {
    expect(authRow('login-failed')).toMatchObject({ event: 'login_failed', success: false, user_id: 'ann@example.com' });
    expect(authRow('login-ok')).toMatchObject({ event: 'login', success: true, user_id: 'bob@example.com' });
    expect(authRow('login-huge').user_id).toBe('');
    const failedByUser = await service.cli(['report', 'failed-logins-by-user', '--since', '1h', '--format', 'json']);
    expect(failedByUser.stdout).toContain('ann@example.com');
    expect(spoolSent.login!.status).toBe(401);
    const spool = await spoolText((t) => t.includes('eve@example.com'));
    expect(spool).toContain('eve@example.com');
    expect(everyRow).toContain('ann@example.com');
    for (const text of [everyRow, spool, service.output(), app.output(), spooling.output(), failedByUser.stdout + failedByUser.stderr]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('correct horse');
    }
  });
});

describe('express 4 and fastify 4 apps, the same identity from config', () => {
  let receiver: OtlpReceiver;
  const apps: FixtureApp[] = [];
  const sent: Record<string, Record<string, Sent>> = {};

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    const env = (service: string) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_SERVICE_NAME: service,
      OTEL_ACTIVITY_AUTH_ROUTES: JSON.stringify({ 'POST /api/users/login': 'login' }),
      OTEL_ACTIVITY_AUTH_ACCOUNT_FIELD: 'user.email',
    });
    apps.push(...(await Promise.all([startApp(env('express4'), expressApp('express4')), startApp(env('fastify4'), fastifyApp('fastify4'))])));
    sent.express4 = await driveDefaultApp(apps[0]!);
    sent.fastify4 = await driveDefaultApp(apps[1]!);
    await Promise.all(apps.map((a) => a.stop('SIGTERM')));
  }, 90_000);

  afterAll(async () => {
    for (const a of apps) await a.dispose();
    await receiver?.close();
  });

  for (const service of ['express4', 'fastify4']) {
    it(`${service}: user.id from the JWT, hashed session.id, the failed login's account, no password anywhere`, () => {
      expectAppSawItsBodies(sent[service]!);
      const spans = receiver.spans.filter((s) => s.resource['service.name'] === service);
      const access = (c: string) => spans.find((s) => s.attributes['activity.kind'] === 'access' && s.attributes['url.query'] === `case=${c}`);
      expect(access('bearer')?.attributes['user.id']).toBe('user-42');
      expect(access('setuser')?.attributes['user.id']).toBe('set-by-app-7');
      expect(access('bad-huge')?.attributes['user.id']).toBeUndefined();
      expect(access('cookie')?.attributes['session.id']).toBe(sha32(CONNECT_SID));
      const failedTrace = access('login-failed')?.traceId;
      const failed = spans.find((s) => s.attributes['activity.kind'] === 'auth' && s.traceId === failedTrace);
      expect(failed?.attributes).toMatchObject({ 'activity.auth.event': 'login_failed', 'user.id': 'ann@example.com' });
      const everything = receiver.raw.map((r) => r.body).join('\n');
      expect(everything).not.toContain(PASSWORD);
      expect(everything).not.toContain(CONNECT_SID);
      expect(apps.map((a) => a.output()).join('')).not.toContain(PASSWORD);
    });
  }
});

describe('decoding stays bounded and never throws', () => {
  it('reads a claim only from a well-formed three-part token, and never throws on junk', () => {
    expect(jwtClaim(`Bearer ${TOKEN_42}`, 'sub')).toBe('user-42');
    expect(jwtClaim(`Token  ${TOKEN_42}`, 'sub')).toBe('user-42');
    expect(jwtClaim(`Bearer ${jwt({ sub: 'x'.repeat(1000) })}`, 'sub')).toBe('x'.repeat(256));
    for (const value of Object.values(BAD_AUTHORIZATION)) expect(jwtClaim(value, 'sub'), value.slice(0, 40)).toBeUndefined();
    const alphabet = 'ab.=-_ !{}"\\\u0000é';
    for (let i = 0; i < 2000; i++) {
      let junk = 'Bearer ';
      for (let j = 0; j < 40; j++) junk += alphabet[Math.floor(Math.random() * alphabet.length)];
      expect(() => jwtClaim(junk, 'sub')).not.toThrow();
    }
  });

  it('finds session cookies by name only, first listed wins', () => {
    expect(sessionCookieValue('a=1; sid=2; connect.sid=3', ['connect.sid', 'sid'])).toBe('3');
    expect(sessionCookieValue('xsid=1; sid2=2', ['sid'])).toBeUndefined();
    expect(sessionCookieValue('sid=; sid', ['sid'])).toBeUndefined();
    expect(sessionCookieValue(`pad=${'p'.repeat(20_000)}; sid=late`, ['sid'])).toBeUndefined();
  });
});
