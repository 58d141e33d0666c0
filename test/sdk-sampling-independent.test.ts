// Audit rows do not depend on OpenTelemetry sampling: a request arriving with `traceparent …-00` (not sampled
// upstream), or an app run with OTEL_TRACES_SAMPLER=always_off, still yields its access, auth, external-call and
// custom-activity spans; what we propagate downstream keeps the caller's decision; only OTEL_ACTIVITY_SAMPLE_RATE
// thins access spans, and every drop is counted.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REGISTER_CJS } from './helpers/built-paths';
import { startRecordingTarget, type RecordingTarget } from './helpers/recording-target';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver';
import { startPreloadedApp } from './helpers/preloaded-app';
import { SDK_INDEX } from './helpers/built-paths';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-sampling-'));

const APP = `
const http = require('node:http');
const { trackActivity, getActivityStats } = require(${JSON.stringify(SDK_INDEX)});
const server = http.createServer((req, res) => {
  req.resume();
  if (req.url === '/api/login') { res.statusCode = 401; return res.end('no'); }
  if (req.url === '/boom') { res.statusCode = 500; return res.end('boom'); }
  if (req.url === '/export') { trackActivity({ action: 'invoice.export', resourceType: 'invoice', resourceId: '7' }); return res.end('ok'); }
  if (req.url === '/call') return fetch(process.env.TARGET_URL).then((r) => r.text()).then((t) => res.end(t));
  if (req.url === '/stats') return res.end(JSON.stringify(getActivityStats()));
  res.end('ok');
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

const UPSTREAM_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const UPSTREAM_SPAN = '00f067aa0ba902b7';

let receiver: OtlpReceiver;
let target: RecordingTarget;

beforeAll(async () => {
  fs.writeFileSync(path.join(DIR, 'app.js'), APP);
  receiver = await startOtlpReceiver();
  target = await startRecordingTarget('/v1/charge', '{"ok":true}');
});

afterAll(async () => {
  await receiver?.close();
  await target?.close();
  fs.rmSync(DIR, { recursive: true, force: true });
});

beforeEach(() => {
  receiver.spans.length = 0;
  target.headers.length = 0;
});

async function withApp<T>(env: Record<string, string>, body: (port: number) => Promise<T>): Promise<T> {
  const app = await startPreloadedApp({
    cwd: DIR,
    args: ['--require', REGISTER_CJS, 'app.js'],
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_ACTIVITY_BUFFER_DIR: path.join(DIR, `buffer-${Date.now()}`),
      OTEL_ACTIVITY_AUTH_ROUTES: '{"POST /api/login": "login"}',
      OTEL_ACTIVITY_EXTERNAL_SERVICES: '{"127.0.0.1": "billing"}',
      OTEL_SERVICE_NAME: 'sampling-app',
      TARGET_URL: target.url,
      ...env,
    },
  });
  try {
    return await body(app.port);
  } finally {
    app.kill('SIGTERM');
    await app.exited;
    expect(app.stderr()).toBe('');
  }
}

async function send(port: number, method: string, p: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${p}`, { method, headers });
  await response.text();
  return response.status;
}

const kinds = () => receiver.spans.map((s) => `${String(s.attributes['activity.kind'])} ${s.name}`).sort();

const EVERY_ROW = [
  'access GET /boom',
  'access GET /call',
  'access GET /export',
  'access POST /api/login',
  'auth auth login_failed',
  'custom activity invoice.export',
  'external GET',
].sort();

describe('audit rows whatever OpenTelemetry sampling says', () => {
  it('keeps every row of requests whose caller did not sample them, and propagates "not sampled" on', async () => {
    const notSampled = { traceparent: `00-${UPSTREAM_TRACE}-${UPSTREAM_SPAN}-00` };
    await withApp({}, async (port) => {
      expect(await send(port, 'POST', '/api/login', notSampled)).toBe(401);
      expect(await send(port, 'GET', '/boom', notSampled)).toBe(500);
      expect(await send(port, 'GET', '/export', notSampled)).toBe(200);
      expect(await send(port, 'GET', '/call', notSampled)).toBe(200);
      await expect.poll(() => receiver.spans.length, { timeout: 10_000 }).toBe(EVERY_ROW.length);
    });
    expect(kinds()).toEqual(EVERY_ROW);
    expect(new Set(receiver.spans.map((s) => s.traceId))).toEqual(new Set([UPSTREAM_TRACE]));
    // fetch carries our span onward in the caller's trace, still flagged not sampled.
    expect(target.headers).toHaveLength(1);
    expect(target.headers[0].traceparent).toMatch(new RegExp(`^00-${UPSTREAM_TRACE}-[0-9a-f]{16}-00$`));
  });

  it('keeps every row with OTEL_TRACES_SAMPLER=always_off (a setting for the app\'s own SDK)', async () => {
    await withApp({ OTEL_TRACES_SAMPLER: 'always_off' }, async (port) => {
      expect(await send(port, 'POST', '/api/login')).toBe(401);
      expect(await send(port, 'GET', '/boom')).toBe(500);
      expect(await send(port, 'GET', '/export')).toBe(200);
      expect(await send(port, 'GET', '/call')).toBe(200);
      await expect.poll(() => receiver.spans.length, { timeout: 10_000 }).toBe(EVERY_ROW.length);
    });
    expect(kinds()).toEqual(EVERY_ROW);
    expect(target.headers[0].traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('thins only successful access spans by OTEL_ACTIVITY_SAMPLE_RATE and counts each one dropped', async () => {
    const stats = await withApp({ OTEL_ACTIVITY_SAMPLE_RATE: '0' }, async (port) => {
      for (let i = 0; i < 5; i++) expect(await send(port, 'GET', '/ok')).toBe(200);
      expect(await send(port, 'POST', '/api/login')).toBe(401);
      expect(await send(port, 'GET', '/boom')).toBe(500);
      const response = await fetch(`http://127.0.0.1:${port}/stats`);
      return (await response.json()) as Record<string, number>;
    });
    await expect.poll(() => receiver.spans.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    expect(kinds()).toEqual(['access GET /boom', 'access POST /api/login', 'auth auth login_failed']);
    expect(stats.sampledOut).toBe(5);
  });
});
