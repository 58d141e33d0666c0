// GET /api/activities on the real service (chDB, real HTTP): the viewer and admin tokens read custom activities,
// filtered by user, action, resource type and id and window, newest first, one page at a time; every read is an
// audit row; no token or a wrong one is 401, bad parameters are a 400 naming what is accepted.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import { loadConfig } from '../exporter/config';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-api-activities-'));
const INGEST = 'ingest-token-api-activities';
const ADMIN = 'admin-token-api-activities';
const VIEWER = 'viewer-token-api-activities';
let service: OtlpService;

const HOUR_MS = 3_600_000;
const NOW_MS = Math.floor(Date.now() / 1000) * 1000;
const iso = (ms: number) => new Date(ms).toISOString();
const chTime = (ms: number) => iso(ms).replace('T', ' ').replace('Z', '');

// Five activities an hour apart, newest is u1's invoice.export 1 hour ago; one 30 hours ago (outside 24h).
const ACTIVITIES = [
  { id: 'a1', action: 'invoice.export', user_id: 'u1', resource_type: 'invoice', resource_id: '42', details: { format: 'pdf' }, timestamp: iso(NOW_MS - 1 * HOUR_MS) },
  { id: 'a2', action: 'invoice.export', user_id: 'u2', resource_type: 'invoice', resource_id: '43', timestamp: iso(NOW_MS - 2 * HOUR_MS) },
  { id: 'a3', action: 'plan.upgrade', user_id: 'u1', resource_type: 'plan', resource_id: 'pro', timestamp: iso(NOW_MS - 3 * HOUR_MS) },
  { id: 'a4', action: 'invoice.export', user_id: 'u1', resource_type: 'invoice', resource_id: '44', timestamp: iso(NOW_MS - 4 * HOUR_MS) },
  { id: 'a5', action: 'invoice.view', user_id: 'u3', resource_type: 'invoice', resource_id: '42', timestamp: iso(NOW_MS - 5 * HOUR_MS) },
  { id: 'a6', action: 'invoice.export', user_id: 'u1', resource_type: 'invoice', resource_id: '40', timestamp: iso(NOW_MS - 30 * HOUR_MS) },
];

beforeAll(async () => {
  const config = loadConfig({
    env: {},
    overrides: {
      exporter: { dataDir: path.join(root, 'data') },
      service: { port: 0, alertIntervalMs: 0, ingestToken: INGEST, adminToken: ADMIN, viewerToken: VIEWER },
    },
  });
  service = await startOtlpService({ config });
  const response = await fetch(`${service.url}/v1/activities`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` },
    body: JSON.stringify(ACTIVITIES.map((a) => ({ ...a, service: 'web' }))),
  });
  expect(response.status).toBe(200);
  await service.exporter.forceFlush();
}, 60_000);

afterAll(async () => {
  await service?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

async function get(query: string, token: string = VIEWER): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${service.url}/api/activities${query}`, { headers: token === '' ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const ids = (body: Record<string, unknown>) => (body.rows as Array<{ resource_id: string; action: string; user_id: string }>).map((r) => `${r.user_id}:${r.action}:${r.resource_id}`);

async function auditRows(): Promise<Array<Record<string, unknown>>> {
  await service.exporter.forceFlush();
  return service.exporter.sink.query("SELECT user_id, action, resource_type, resource_id, details FROM activities WHERE service = 'otel-activity' AND resource_type = 'activities' ORDER BY timestamp");
}

describe('GET /api/activities', () => {
  it('reads the last 24 hours newest first with the viewer token, every field of a row as the report gives it', async () => {
    const { status, body } = await get('');
    expect(status).toBe(200);
    expect(ids(body)).toEqual(['u1:invoice.export:42', 'u2:invoice.export:43', 'u1:plan.upgrade:pro', 'u1:invoice.export:44', 'u3:invoice.view:42']);
    expect((body.rows as unknown[])[0]).toEqual({
      timestamp: chTime(NOW_MS - HOUR_MS),
      user_id: 'u1',
      session_id: '',
      action: 'invoice.export',
      resource_type: 'invoice',
      resource_id: '42',
      details: '{"format":"pdf"}',
      ip: '::', // the sender's address is not the activity's: POST /v1/activities stores none
    });
    expect([body.limit, body.offset, body.truncated]).toEqual([100, 0, false]);
    expect(typeof body.from === 'string' && typeof body.to === 'string').toBe(true);
  });

  it('filters by user, action, resource type and id, and window', async () => {
    expect(ids((await get('?user_id=u1')).body)).toEqual(['u1:invoice.export:42', 'u1:plan.upgrade:pro', 'u1:invoice.export:44']);
    expect(ids((await get('?action=invoice.export&user_id=u1')).body)).toEqual(['u1:invoice.export:42', 'u1:invoice.export:44']);
    expect(ids((await get('?resource_type=invoice&resource_id=42')).body)).toEqual(['u1:invoice.export:42', 'u3:invoice.view:42']);
    expect(ids((await get('?resource_type=plan')).body)).toEqual(['u1:plan.upgrade:pro']);
    expect(ids((await get('?since=150m')).body)).toEqual(['u1:invoice.export:42', 'u2:invoice.export:43']);
    const from = encodeURIComponent(iso(NOW_MS - 31 * HOUR_MS));
    const to = encodeURIComponent(iso(NOW_MS - 4 * HOUR_MS));
    expect(ids((await get(`?user_id=u1&from=${from}&to=${to}`)).body)).toEqual(['u1:invoice.export:40']);
    expect(ids((await get('?user_id=nobody')).body)).toEqual([]);
  });

  it('pages with limit and offset, saying when a page stopped at its limit', async () => {
    const first = (await get('?limit=2')).body;
    expect([ids(first), first.limit, first.offset, first.truncated]).toEqual([['u1:invoice.export:42', 'u2:invoice.export:43'], 2, 0, true]);
    const second = (await get('?limit=2&offset=2')).body;
    expect([ids(second), second.truncated]).toEqual([['u1:plan.upgrade:pro', 'u1:invoice.export:44'], true]);
    const last = (await get('?limit=2&offset=4')).body;
    expect([ids(last), last.truncated]).toEqual([['u3:invoice.view:42'], false]);
  });

  it('reads with the admin token too; no token, a wrong one or the ingest token is 401', async () => {
    expect(ids((await get('?resource_type=plan', ADMIN)).body)).toEqual(['u1:plan.upgrade:pro']);
    for (const token of ['', 'wrong', INGEST]) expect((await get('', token)).status, token || 'none').toBe(401);
  });

  it('answers 400 naming the accepted parameters, the limit and the window forms', async () => {
    expect(await get('?user=u1')).toEqual({
      status: 400,
      body: { error: 'GET /api/activities has no parameter "user"; its parameters are user_id, action, resource_type, resource_id, service, include_audit, limit, offset, since, from, to' },
    });
    expect(await get('?limit=5000')).toEqual({ status: 400, body: { error: 'limit must be at most 1000 per page, got "5000"; read further pages with offset' } });
    expect(await get('?limit=ten')).toEqual({ status: 400, body: { error: 'report activities: parameter limit (UInt32) must be a whole number ≥ 0, got "ten"' } });
    expect(await get('?since=yesterday')).toEqual({ status: 400, body: { error: 'since must be a number and a unit (s, m, h, d, w) like 30m, 24h or 7d, got "yesterday"' } });
  });

  it('records every read as an audit row (role, filters) that the read itself leaves out unless include_audit=true', async () => {
    const before = (await auditRows()).length;
    await get('?user_id=u2&action=invoice.export');
    const rows = await auditRows();
    expect(rows.length).toBe(before + 1);
    const last = rows[rows.length - 1];
    expect([last.user_id, last.action, last.resource_type, last.resource_id]).toEqual(['viewer', 'api.read', 'activities', '*']);
    expect(JSON.parse(String(last.details))).toMatchObject({ user: 'u2', action: 'invoice.export', limit: 100, offset: 0, include_audit: false });
    expect(ids((await get('?user_id=viewer')).body)).toEqual([]);
    expect(ids((await get('?user_id=viewer&action=api.read&include_audit=true&limit=1')).body)).toEqual(['viewer:api.read:*']);
  });
});
