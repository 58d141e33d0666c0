// POST /v1/activities on the real service (chDB): activities from clients that do not speak OTLP are stored like
// trackActivity() rows, durably, once per activity even when resent; bad items get their reasons without taking
// valid ones down; a body with nothing valid, the wrong content type or a missing ingest token is a clear 4xx.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import { loadConfig } from '../exporter/config';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-svc-activities-'));
const TOKEN = 'ingest-token-for-activities';
let service: OtlpService;

beforeAll(async () => {
  const config = loadConfig({
    env: {},
    overrides: { exporter: { dataDir: path.join(root, 'data') }, service: { port: 0, alertIntervalMs: 0, ingestToken: TOKEN } },
  });
  service = await startOtlpService({ config });
  await service.exporter.ready();
}, 60_000);

afterAll(async () => {
  await service?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function send(body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${service.url}/v1/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

async function stored(action: string): Promise<Array<Record<string, unknown>>> {
  await service.exporter.forceFlush();
  return service.exporter.sink.query(
    'SELECT service, environment, user_id, session_id, action, resource_type, resource_id, details, timestamp FROM activities WHERE action = {action:String} ORDER BY resource_id',
    { action },
  );
}

describe('POST /v1/activities', () => {
  it('stores one activity or an array, with every field, as activity rows', async () => {
    expect((await send({ action: 'invoice.export', user_id: 'u1', resource_type: 'invoice', resource_id: '42', service: 'web', environment: 'prod', details: { format: 'pdf' }, timestamp: '2026-12-01T10:00:00.000Z' })).status).toBe(200);
    expect((await send([{ action: 'page.share', user_id: 'u2', session_id: 's9', resource_id: 'a' }, { action: 'page.share', user_id: 'u3', resource_id: 'b' }])).status).toBe(200);
    expect(await stored('invoice.export')).toEqual([
      { service: 'web', environment: 'prod', user_id: 'u1', session_id: '', action: 'invoice.export', resource_type: 'invoice', resource_id: '42', details: '{"format":"pdf"}', timestamp: '2026-12-01 10:00:00.000' },
    ]);
    const shares = await stored('page.share');
    expect(shares.map((r) => [r.service, r.user_id, r.session_id, r.resource_id])).toEqual([['unknown_service', 'u2', 's9', 'a'], ['unknown_service', 'u3', '', 'b']]);
  });

  it('stores a resent activity once (same id, or same fields with a timestamp)', async () => {
    const withId = { id: 'client-uuid-1', action: 'plan.upgrade', user_id: 'u4', resource_id: '1' };
    const withTime = { action: 'plan.upgrade', user_id: 'u5', resource_id: '2', timestamp: 1796100000000 };
    for (let i = 0; i < 3; i++) expect((await send([withId, withTime])).status).toBe(200);
    expect((await stored('plan.upgrade')).map((r) => r.user_id)).toEqual(['u4', 'u5']);
  });

  it('keeps the valid items beside bad ones, naming each bad one; nothing valid is a 400', async () => {
    const mixed = await send([{ action: 'ok.one', resource_id: '1' }, { action: 'bad action!' }, { action: 'ok.one', resource_id: '2', extra: 1 }]);
    expect(mixed.status).toBe(200);
    expect(JSON.parse(mixed.text)).toEqual({
      partialSuccess: {
        rejectedSpans: '2', // int64 as a string, as OTLP/JSON writes it
        errorMessage: 'activities[1]: action must be 1 to 128 letters, digits or _ . : / -, got "bad action!"; activities[2]: unknown field extra; the fields are id, user_id, session_id, action, resource_type, resource_id, details, timestamp, service, environment',
      },
    });
    expect((await stored('ok.one')).map((r) => r.resource_id)).toEqual(['1']);

    const allBad = await send([{ user_id: 'u1' }]);
    expect(allBad).toEqual({ status: 400, text: expect.stringContaining('activities[0]: action must be') });
    expect((await send('not json')).status).toBe(400);
    expect(await send([])).toEqual({ status: 400, text: expect.stringContaining('a non-empty array') });
    expect((await send({ action: 'x.y', timestamp: '1970-01-01T00:00:00Z' })).text).toContain('more than 400 days from now');
  });

  it('answers 415 to another content type and 401 without the ingest token', async () => {
    expect((await send({ action: 'a.b' }, { 'content-type': 'application/x-protobuf' })).status).toBe(415);
    expect((await send({ action: 'a.b' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect(await stored('a.b')).toEqual([]);
  });
});

describe('browsers (no CORS: post from your backend)', () => {
  it("refuses a page's CORS preflight with 403 and the reason, and grants it no Access-Control-Allow-* header", async () => {
    for (const target of ['/v1/activities', '/v1/traces']) {
      const response = await fetch(`${service.url}${target}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
      });
      expect(response.status, target).toBe(403);
      expect([...response.headers.keys()].filter((h) => h.startsWith('access-control-')), target).toEqual([]);
      expect(response.headers.get('vary')).toBe('Origin');
      expect(await response.json()).toEqual({
        code: 7,
        message: `${target} does not accept requests from web pages (no CORS): an ingest token in a page can be read by anyone who opens it. Post from your backend, which holds the token (OTEL_ACTIVITY_INGEST_TOKEN)`,
      });
    }
  });

  it('answers OPTIONS without an Origin (not a browser) 405, use POST, as any other method', async () => {
    const response = await fetch(`${service.url}/v1/activities`, { method: 'OPTIONS' });
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'POST']);
    expect(await response.json()).toEqual({ code: 12, message: 'OPTIONS is not allowed on /v1/activities: use POST' });
  });
});
