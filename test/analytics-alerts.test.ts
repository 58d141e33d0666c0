/**
 * Alert rules on real chDB with planted traffic: each rule fires for the subject planted to breach it and not for
 * the near-misses beside it; normal traffic fires nothing; no duplicates while an alert is open or acknowledged;
 * acknowledgement; resolution when the condition clears; thresholds from config; webhook delivery on 127.0.0.1.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEvaluator } from '../exporter/analytics/alert-evaluator';
import { loadAlertRules } from '../exporter/analytics/alert-rules';
import { acknowledgeAlert, listAlerts } from '../exporter/analytics/alert-store';
import type { AccessRow, AuthRow, ExternalCallRow } from '../exporter/rows/row-types';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { buildFixture, DAY2, insertFixture } from './helpers/analytics-fixture';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-alerts-'));
const sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
const NOW = new Date('2026-04-01T22:00:00.000Z');
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString().replace('T', ' ').replace('Z', '');
let seq = 0;

function access(p: Partial<AccessRow>): AccessRow {
  seq++;
  return {
    timestamp: ago(60), trace_id: `at${seq}`, span_id: `as${seq}`, service: 'shop', environment: 'test', method: 'GET', route: '/api/list', path: '/api/list',
    query: '', status: 200, duration_ms: 5, request_bytes: 0, response_bytes: 0, user_id: '', session_id: '', client_ip: '10.1.1.1', user_agent: 'ua',
    browser: '', os: '', device_type: '', error_message: '', attributes: {}, ...p,
  };
}
function failedLogin(p: Partial<AuthRow>): AuthRow {
  seq++;
  return {
    timestamp: ago(60), trace_id: `ft${seq}`, span_id: `fs${seq}`, service: 'shop', environment: 'test', event: 'login_failed', success: false, user_id: '',
    session_id: '', method: 'password', reason: 'bad_password', client_ip: '10.9.9.9', user_agent: 'ua', device_type: '', attributes: {}, ...p,
  };
}
function call(p: Partial<ExternalCallRow>): ExternalCallRow {
  seq++;
  return {
    timestamp: ago(60), trace_id: `ct${seq}`, span_id: `cs${seq}`, parent_span_id: '', service: 'shop', environment: 'test', provider: 'openai', call_kind: 'llm',
    method: 'POST', host: 'api.openai.com', url: '', status: 200, duration_ms: 100, request_bytes: 0, response_bytes: 0, model: 'gpt-4o', input_tokens: 0,
    output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0, cost_usd: 0, user_id: '', session_id: '', error_message: '', attributes: {}, ...p,
  };
}

function planted(): { access: AccessRow[]; auth: AuthRow[]; external: ExternalCallRow[] } {
  const a: AccessRow[] = [];
  const auth: AuthRow[] = [];
  const ext: ExternalCallRow[] = [];
  // failed-login-burst-ip: 12 failures from .1 in the window (one per account); 9 from .2; 15 from .3 but 30 minutes ago.
  for (let i = 0; i < 12; i++) auth.push(failedLogin({ client_ip: '198.51.100.1', user_id: `x${i}`, timestamp: ago(30 + i) }));
  for (let i = 0; i < 9; i++) auth.push(failedLogin({ client_ip: '198.51.100.2', user_id: i < 6 ? 'victim' : `y${i}`, timestamp: ago(100 + i) }));
  for (let i = 0; i < 15; i++) auth.push(failedLogin({ client_ip: '198.51.100.3', user_id: 'old', timestamp: ago(1800 + i) }));
  // failed-login-burst-user: victim 6 (above), ok-user 4.
  for (let i = 0; i < 4; i++) auth.push(failedLogin({ client_ip: `10.2.0.${i + 1}`, user_id: 'ok-user', timestamp: ago(200 + i) }));
  // concurrent-sessions: roamer on 3 IPs, commuter on 2.
  for (const [i, ip] of ['10.3.0.1', '10.3.0.2', '10.3.0.3'].entries()) a.push(access({ user_id: 'roamer', session_id: `roam-${i}`, client_ip: ip, route: '/api/profile', path: '/api/profile', timestamp: ago(60 * (i + 1)) }));
  for (const [i, ip] of ['10.4.0.1', '10.4.0.2'].entries()) a.push(access({ user_id: 'commuter', session_id: `comm-${i}`, client_ip: ip, route: '/api/profile', path: '/api/profile', timestamp: ago(60 * (i + 1)) }));
  // rapid-navigation: bot-1 150 requests within one minute; human 30.
  for (let i = 0; i < 150; i++) a.push(access({ session_id: 'bot-1', client_ip: '203.0.113.50', timestamp: ago(150 - i * 0.2) }));
  for (let i = 0; i < 30; i++) a.push(access({ session_id: 'human', user_id: 'h1', client_ip: '10.5.0.1', timestamp: ago(170 - i * 2) }));
  // error-rate-spike: /api/pay 2% → 50%; /api/search 20% → 40% (below 3×).
  for (let i = 0; i < 100; i++) a.push(access({ route: '/api/pay', path: '/api/pay', status: i < 2 ? 500 : 200, timestamp: ago(3600 + i * 600) }));
  for (let i = 0; i < 20; i++) a.push(access({ route: '/api/pay', path: '/api/pay', status: i < 10 ? 503 : 200, timestamp: ago(30 + i * 20) }));
  for (let i = 0; i < 100; i++) a.push(access({ route: '/api/search', path: '/api/search', status: i < 20 ? 500 : 200, timestamp: ago(3600 + i * 600) }));
  for (let i = 0; i < 20; i++) a.push(access({ route: '/api/search', path: '/api/search', status: i < 8 ? 500 : 200, timestamp: ago(30 + i * 20) }));
  // A route that only ever fails and has no history is not a spike against its own baseline.
  for (let i = 0; i < 10; i++) a.push(access({ route: '/api/broken-new', path: '/api/broken-new', status: 500, timestamp: ago(40 + i * 20) }));
  // after-hours-admin: night-admin on /admin/users at 21:30 UTC; someone on /api/administrators (not an admin route).
  a.push(access({ user_id: 'night-admin', session_id: 'na', client_ip: '10.6.0.1', route: '/admin/users', path: '/admin/users', timestamp: ago(1800) }));
  a.push(access({ user_id: 'curious', session_id: 'cu', client_ip: '10.6.0.2', route: '/api/administrators', path: '/api/administrators', timestamp: ago(1700) }));
  // cost-spike-user/provider: spender $1.68 over 7 days then $2 in the last hour (openai); steady $168 then $2 (anthropic); cheap $0.5 now.
  for (let d = 1; d <= 7; d++) ext.push(call({ user_id: 'spender', cost_usd: 0.24, timestamp: ago(3600 * 2 + d * 86_000) }));
  ext.push(call({ user_id: 'spender', cost_usd: 2, timestamp: ago(600) }));
  for (let d = 1; d <= 7; d++) ext.push(call({ user_id: 'steady', provider: 'anthropic', model: 'claude', cost_usd: 24, timestamp: ago(3600 * 2 + d * 86_000) }));
  ext.push(call({ user_id: 'steady', provider: 'anthropic', model: 'claude', cost_usd: 2, timestamp: ago(700) }));
  ext.push(call({ user_id: 'cheap', cost_usd: 0.5, timestamp: ago(800) }));
  return { access: a, auth, external: ext };
}

const EXPECTED = [
  ['after-hours-admin', 'night-admin'],
  ['concurrent-sessions', 'roamer'],
  ['cost-spike-provider', 'openai'],
  ['cost-spike-user', 'spender'],
  ['error-rate-spike', '/api/pay'],
  ['failed-login-burst-ip', '198.51.100.1'],
  ['failed-login-burst-user', 'victim'],
  ['rapid-navigation', 'bot-1'],
];

const webhookBodies: Array<{ alerts: Array<{ rule: string; subject: string }> }> = [];
let webhook: http.Server;
let webhookUrl = '';

beforeAll(async () => {
  webhook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      webhookBodies.push(JSON.parse(body) as (typeof webhookBodies)[number]);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`;
  await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
});

afterAll(async () => {
  await new Promise((resolve) => webhook.close(resolve));
  await sink.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const pairs = (alerts: Array<{ rule: string; subject: string }>): string[][] => alerts.map((a) => [a.rule, a.subject]).sort((x, y) => x.join().localeCompare(y.join()));

describe('alert rules', () => {
  it('every rule file has a name, severity and threshold default', () => {
    expect(loadAlertRules().map((r) => [r.name, r.severity, r.params.find((p) => p.name === 'threshold')?.defaultValue])).toEqual([
      ['after-hours-admin', 'warning', '1'],
      ['concurrent-sessions', 'warning', '3'],
      ['cost-spike-provider', 'warning', '5'],
      ['cost-spike-user', 'warning', '5'],
      ['error-rate-spike', 'critical', '3'],
      ['failed-login-burst-ip', 'critical', '10'],
      ['failed-login-burst-user', 'warning', '5'],
      ['rapid-navigation', 'warning', '120'],
    ]);
  });

  it('normal traffic (the demo-like fixture) fires no rule at any time of its busiest day', async () => {
    await insertFixture(sink, buildFixture());
    for (let minute = 6 * 60; minute <= 11 * 60; minute += 30) {
      const now = new Date(`${DAY2}T00:00:00.000Z`);
      now.setUTCMinutes(minute);
      const result = await new AlertEvaluator({ sink, now: () => now }).evaluate();
      expect(result.failures).toEqual([]);
      expect(pairs(result.fired)).toEqual([]);
    }
  });

  it('each rule fires for its planted breach and not for the near-misses, and the webhook gets the new alerts', async () => {
    const p = planted();
    for (const [table, rows] of [['access_log', p.access], ['auth_events', p.auth], ['external_calls', p.external]] as const) {
      const r = await sink.insert(table, rows, { dedupToken: `planted-${table}` });
      if (!r.ok) throw r.error;
    }
    const result = await new AlertEvaluator({ sink, now: () => NOW, webhookUrl }).evaluate();
    expect(result.failures).toEqual([]);
    expect(pairs(result.fired)).toEqual(EXPECTED);
    const byRule = Object.fromEntries(result.fired.map((a) => [a.rule, a]));
    expect(byRule['failed-login-burst-ip']).toMatchObject({ value: 12, threshold: 10, severity: 'critical', status: 'open', service: 'shop' });
    expect(JSON.parse(byRule['failed-login-burst-ip'].details)).toMatchObject({ accounts: '12', window_minutes: '10' });
    expect(byRule['failed-login-burst-user']).toMatchObject({ value: 6, threshold: 5 });
    expect(byRule['concurrent-sessions']).toMatchObject({ value: 3 });
    expect(byRule['rapid-navigation'].value).toBeGreaterThanOrEqual(120);
    expect(byRule['error-rate-spike']).toMatchObject({ value: 0.5 });
    expect(byRule['cost-spike-user']).toMatchObject({ value: 2 });
    expect(byRule['cost-spike-provider']).toMatchObject({ value: 2.5 });
    expect(byRule['after-hours-admin']).toMatchObject({ value: 1 });
    expect(webhookBodies).toHaveLength(1);
    expect(pairs(webhookBodies[0].alerts)).toEqual(EXPECTED);
    expect(pairs(await listAlerts(sink, { statuses: ['open'] }))).toEqual(EXPECTED);
  });

  it('does not raise a second alert for the same rule and subject while one is open or acknowledged', async () => {
    const evaluator = new AlertEvaluator({ sink, now: () => new Date(NOW.getTime() + 1000), webhookUrl });
    expect((await evaluator.evaluate()).fired).toEqual([]);
    const [ipAlert] = (await listAlerts(sink, { statuses: ['open'] })).filter((a) => a.rule === 'failed-login-burst-ip');
    const acked = await acknowledgeAlert(sink, ipAlert.id, 'admin@test');
    expect(acked).toMatchObject({ id: ipAlert.id, status: 'acknowledged', acknowledged_by: 'admin@test' });
    expect((await evaluator.evaluate()).fired).toEqual([]);
    const all = await listAlerts(sink);
    expect(all).toHaveLength(EXPECTED.length);
    expect(all.find((a) => a.id === ipAlert.id)).toMatchObject({ status: 'acknowledged', acknowledged_by: 'admin@test', created_at: ipAlert.created_at });
    expect(await acknowledgeAlert(sink, '00000000-0000-4000-8000-000000000000', 'x')).toBeUndefined();
    expect(webhookBodies).toHaveLength(1);
  });

  it('thresholds and rule parameters come from config', async () => {
    // Working hours 0–24 make nothing after-hours; a failed-login threshold of 13 is above the planted 12.
    const quiet = await new AlertEvaluator({
      sink,
      now: () => new Date(NOW.getTime() + 2000),
      thresholds: { 'failed-login-burst-ip': 13, 'after-hours-admin.start_hour': 0, 'after-hours-admin.end_hour': 24, 'concurrent-sessions': 2 },
    }).evaluate();
    // The two conditions that no longer breach are resolved; commuter (2 IPs) now breaches.
    expect(pairs(quiet.resolved)).toEqual([['after-hours-admin', 'night-admin'], ['failed-login-burst-ip', '198.51.100.1']]);
    expect(pairs(quiet.fired)).toEqual([['concurrent-sessions', 'commuter']]);
    expect(quiet.fired[0].threshold).toBe(2);
  });

  it('resolves alerts whose condition has cleared', async () => {
    const later = await new AlertEvaluator({ sink, now: () => new Date(NOW.getTime() + 3 * 86_400_000) }).evaluate();
    expect(later.fired).toEqual([]);
    expect(await listAlerts(sink, { statuses: ['open', 'acknowledged'] })).toEqual([]);
    expect((await listAlerts(sink, { statuses: ['resolved'] })).length).toBe(EXPECTED.length + 1);
  });

  it('reports a webhook that fails without losing the alerts', async () => {
    await sink.insert('auth_events', Array.from({ length: 10 }, (_, i) => failedLogin({ client_ip: '198.51.100.99', user_id: `z${i}`, timestamp: ago(-3 * 86_400 + 60) })), { dedupToken: 'late-burst' });
    const result = await new AlertEvaluator({ sink, now: () => new Date(NOW.getTime() + 3 * 86_400_000), webhookUrl: 'http://127.0.0.1:9/hook', webhookTimeoutMs: 2000 }).evaluate();
    expect(pairs(result.fired)).toEqual([['failed-login-burst-ip', '198.51.100.99']]);
    expect(result.webhookError).toMatch(/^alert webhook http:\/\/127\.0\.0\.1:9\/hook failed/);
    expect(pairs(await listAlerts(sink, { statuses: ['open'] }))).toEqual([['failed-login-burst-ip', '198.51.100.99']]);
  });
});
