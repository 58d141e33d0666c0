// `node --require sdk/dist/register.js app.js` and `node --import sdk/dist/register.mjs app.mjs` as child processes
// of unmodified apps, exporting OTLP/HTTP (protobuf by default, JSON on request) to the capturing receiver of
// helpers/otlp-receiver.ts. Needs `npx tsc -p tsconfig.json` first (npm test builds).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REGISTER_CJS, REGISTER_ESM } from './helpers/built-paths';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver';
import { startPreloadedApp, type PreloadedApp } from './helpers/preloaded-app';

const ROOT = path.resolve(__dirname, '..');

// Inside the repo (git-ignored) so the apps resolve express from the repo's node_modules.
const APPS = fs.mkdtempSync(path.join(ROOT, 'test-artifacts', 'sdk-register-'));

let receiver: OtlpReceiver;
let endpoint = '';

/** Content-Type of every OTLP request received since the test began. */
function contentTypes(): string[] {
  return receiver.raw.map((r) => r.headers['content-type'] ?? '');
}

const APP_CJS = `
const http = require('node:http');
const server = http.createServer(async (req, res) => {
  if (req.url === '/fail') { res.statusCode = 500; return res.end('no'); }
  if (req.url === '/api/users/login') { req.resume(); res.statusCode = 401; return res.end(); }
  if (req.url === '/ext') {
    const r = await fetch('http://127.0.0.1:' + server.address().port + '/ok?token=t0p');
    return res.end(await r.text());
  }
  res.end('ok');
});
${'${HANDLER}'}
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

const APP_ESM = `
import express from 'express';
const app = express();
app.get('/users/:userId/orders', (req, res) => res.send('orders of ' + req.params.userId));
app.get('/fail', (req, res) => res.status(500).send('no'));
const server = app.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

function writeApp(name: string, source: string): string {
  const file = path.join(APPS, name);
  fs.writeFileSync(file, source);
  return file;
}

function startApp(preload: string[], file: string, env: Record<string, string>): Promise<PreloadedApp> {
  return startPreloadedApp({
    cwd: APPS,
    args: [...preload, file],
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: 'register-test',
      // Its own buffer of unsent spans, so one app's leftovers never reach the next test's receiver.
      OTEL_ACTIVITY_BUFFER_DIR: fs.mkdtempSync(path.join(APPS, 'buffer-')),
      ...env,
    },
  });
}

async function get(port: number, pathAndQuery: string, method = 'GET'): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${pathAndQuery}`, { method });
  await response.text();
  return response.status;
}

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  endpoint = receiver.url;
});

afterAll(async () => {
  await receiver?.close();
  fs.rmSync(APPS, { recursive: true, force: true });
});

beforeEach(() => {
  receiver.spans.length = 0;
  receiver.raw.length = 0;
});

describe('node --require otel-activity/register', () => {
  it('exports access, auth and external spans; at sample rate 0 keeps errors and drops successes; SIGTERM ends the app', async () => {
    const file = writeApp('app.js', APP_CJS.replace('${HANDLER}', ''));
    const app = await startApp(['--require', REGISTER_CJS], file, {
      OTEL_ACTIVITY_SAMPLE_RATE: '0',
      OTEL_ACTIVITY_AUTH_ROUTES: '{"POST /api/users/login": "login"}',
    });
    expect(await get(app.port, '/ok')).toBe(200);
    expect(await get(app.port, '/fail')).toBe(500);
    expect(await get(app.port, '/api/users/login', 'POST')).toBe(401);
    expect(await get(app.port, '/ext')).toBe(200);

    app.kill('SIGTERM');
    const exit = await app.exited;
    // Ended by the signal, as it would without us: no hang, no swallowed SIGTERM.
    expect(exit.signal).toBe('SIGTERM');

    const access = receiver.spans.filter((s) => s.attributes['activity.kind'] === 'access');
    const auth = receiver.spans.filter((s) => s.attributes['activity.kind'] === 'auth');
    const external = receiver.spans.filter((s) => s.attributes['activity.kind'] === 'external');
    // Successful /ok, /ext and the inner /ok are sampled out; the 500 and the failed login (4xx on an auth route) stay.
    expect(access.map((s) => `${s.name} ${s.attributes['http.response.status_code']}`).sort()).toEqual([
      'GET /fail 500',
      'POST /api/users/login 401',
    ]);
    expect(access.find((s) => s.name === 'GET /fail')?.attributes['error.message']).toBe('Internal Server Error');
    expect(auth).toHaveLength(1);
    expect(auth[0].attributes['activity.auth.event']).toBe('login_failed');
    expect(auth[0].attributes['client.address']).toBe('127.0.0.0');
    expect(auth[0].traceId).toBe(access.find((s) => s.name === 'POST /api/users/login')?.traceId);
    expect(external).toHaveLength(1);
    expect(external[0].attributes['activity.external.service']).toBe('127.0.0.1');
    expect(external[0].attributes['url.full']).toBe(`http://127.0.0.1:${app.port}/ok?token=REDACTED`);
    expect(receiver.spans.every((s) => s.resource['service.name'] === 'register-test')).toBe(true);
    // OTLP/HTTP protobuf is the default encoding, as the OTLP spec asks.
    expect(contentTypes().length).toBeGreaterThan(0);
    expect(contentTypes().every((t) => t === 'application/x-protobuf')).toBe(true);
  });

  it('flushes on SIGTERM but leaves the exit to an app that handles SIGTERM itself', async () => {
    const handler = `process.on('SIGTERM', () => { server.close(); console.log('app handler'); setTimeout(() => process.exit(7), 200); });`;
    const file = writeApp('app-handler.js', APP_CJS.replace('${HANDLER}', handler));
    const app = await startApp(['--require', REGISTER_CJS], file, {});
    expect(await get(app.port, '/ok')).toBe(200);
    app.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit.code).toBe(7);
    expect(exit.signal).toBeNull();
    expect(receiver.spans.filter((s) => s.attributes['activity.kind'] === 'access').map((s) => s.name)).toEqual(['GET /ok']);
  });

  it('starts the app on a bad setting, names it on one line and uses its default; service keys are left to serve', async () => {
    const file = writeApp('app-bad.js', APP_CJS.replace('${HANDLER}', ''));
    const app = await startApp(['--require', REGISTER_CJS], file, {
      OTEL_ACTIVITY_SAMPLE_RATE: 'high',
      OTEL_ACTIVITY_SAMPEL_RATE: '0.5',
      OTEL_ACTIVITY_PORT: 'not-a-port',
      OTEL_ACTIVITY_FLUSH_COUNT: 'lots',
    });
    expect(await get(app.port, '/ok')).toBe(200);
    await expect.poll(() => receiver.spans.length, { timeout: 10_000 }).toBe(1);
    app.kill('SIGTERM');
    await app.exited;
    expect(app.stderr()).toBe(
      'otel-activity: unknown environment variable OTEL_ACTIVITY_SAMPEL_RATE (did you mean OTEL_ACTIVITY_SAMPLE_RATE?); ' +
        '`otel-activity config` lists every variable; ignored (OTEL_ACTIVITY_STRICT=true stops the app instead)\n' +
        'otel-activity: OTEL_ACTIVITY_SAMPLE_RATE must be a number from 0 to 1, got "high"; using 1 instead ' +
        '(OTEL_ACTIVITY_STRICT=true stops the app instead)\n',
    );
  });

  it('with OTEL_ACTIVITY_STRICT=true refuses to start on a bad setting and says which key and value', async () => {
    const file = writeApp('app-bad.js', APP_CJS.replace('${HANDLER}', ''));
    const child = spawn(process.execPath, ['--require', REGISTER_CJS, file], {
      cwd: APPS,
      env: { PATH: process.env.PATH ?? '', OTEL_ACTIVITY_SAMPLE_RATE: 'high', OTEL_ACTIVITY_STRICT: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(78);
    expect(stderr).toBe('otel-activity: invalid configuration: OTEL_ACTIVITY_SAMPLE_RATE must be a number from 0 to 1, got "high"\n');
  });
});

describe('node --import otel-activity/register', () => {
  it('instruments an ESM express app: route from express, spans flushed on SIGINT, OTLP/JSON on request', async () => {
    const file = writeApp('app.mjs', APP_ESM);
    const app = await startApp(['--import', REGISTER_ESM], file, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    expect(await get(app.port, '/users/42/orders')).toBe(200);
    expect(await get(app.port, '/fail')).toBe(500);
    app.kill('SIGINT');
    const exit = await app.exited;
    expect(exit.signal).toBe('SIGINT');
    const access = receiver.spans.filter((s) => s.attributes['activity.kind'] === 'access');
    expect(access.map((s) => [s.name, s.attributes['http.route'], s.attributes['http.response.status_code']])).toEqual([
      ['GET /users/:userId/orders', '/users/:userId/orders', 200],
      ['GET /fail', '/fail', 500],
    ]);
    // Express middleware layers are not exported as spans of their own.
    expect(receiver.spans.filter((s) => s.attributes['activity.kind'] === undefined)).toEqual([]);
    expect(contentTypes().length).toBeGreaterThan(0);
    expect(contentTypes().every((t) => t === 'application/json')).toBe(true);
  });
});
