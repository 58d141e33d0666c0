/**
 * The dashboard's cost views and alert history in headless Chromium over real chDB rows: cached, cache-write and
 * reasoning tokens beside every cost, cost per UTC day of the chosen environment, and acknowledging an alert from
 * the history, which the viewer token may not do and the admin token does, audited; the history filtered by status,
 * rule, severity and service from the address.
 */
// The callbacks given to page.evaluate and waitForFunction run in Chromium: they are typed with the DOM's globals.
/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivitySpan, Attributes } from '../sdk/activity-span';
import { listAlerts, newAlert, writeAlerts } from '../exporter/analytics/alert-store';
import { spanToRow } from '../exporter/rows/span-to-row';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { launchChromium, serveDashboard, type DashboardServer } from './helpers/dashboard-page';

const ADMIN = 'cost-admin-token-3f9a1c';
const VIEWER = 'cost-viewer-token-8d2e4b';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-dashboard-cost-'));
const sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
const artifacts = path.resolve(__dirname, '..', 'test-artifacts');
const burst = newAlert({ service: 'shop', rule: 'failed-login-burst-ip', severity: 'critical', subject: '198.51.100.7', value: 12, threshold: 10, details: '{}' }, new Date());
const spike = newAlert({ service: 'shop', rule: 'cost-spike-user', severity: 'warning', subject: 'u2', value: 3, threshold: 2, details: '{}' }, new Date());
let server: DashboardServer;
let base = '';
let browser: Browser;

let seq = 0;
function call(at: string, environment: string, user: string, attributes: Attributes): ActivitySpan {
  seq++;
  return {
    traceId: seq.toString(16).padStart(32, '0'),
    spanId: seq.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'chat',
    kind: 2,
    startTimeMs: Date.parse(at),
    durationMs: 300,
    statusCode: 0,
    statusMessage: '',
    attributes: { 'activity.kind': 'external', 'http.request.method': 'POST', 'http.response.status_code': 200, 'user.id': user, ...attributes },
    resource: { 'service.name': 'shop', 'deployment.environment.name': environment },
    events: [],
  };
}

const CALLS = [
  call('2026-03-10T10:00:00Z', 'prod', 'u1', {
    'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 1200, 'gen_ai.usage.output_tokens': 300,
    'gen_ai.usage.cache_read.input_tokens': 1000, 'activity.cost.usd': 0.000285,
  }),
  call('2026-03-11T09:00:00Z', 'prod', 'u2', {
    'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4-5', 'gen_ai.usage.input_tokens': 3000, 'gen_ai.usage.output_tokens': 500,
    'gen_ai.usage.cache_creation.input_tokens': 2000, 'gen_ai.usage.reasoning.output_tokens': 100, 'activity.cost.usd': 0.0123,
  }),
  call('2026-03-10T11:00:00Z', 'staging', 'u3', {
    'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10, 'activity.cost.usd': 0.000021,
  }),
];

beforeAll(async () => {
  await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
  const result = await sink.insert('external_calls', CALLS.map((s) => spanToRow(s)?.row as object), { dedupToken: 'dashboard-cost' });
  if (!result.ok) throw result.error;
  await writeAlerts(sink, [burst, spike]);
  server = await serveDashboard({ sink, adminToken: ADMIN, viewerToken: VIEWER, serviceName: 'otel-activity-test' });
  base = server.base;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await sink.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** A page signed in with `token`, on the March 10–11 window (plus `extra` in the address), loaded. */
async function signedIn(token: string, extra = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  await page.addInitScript((t) => sessionStorage.setItem('otelActivityAdminToken', t), token);
  await page.goto(`${base}/dashboard#from=2026-03-10&to=2026-03-12${extra}`);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  return page;
}

const rows = async (page: Page, table: string) => (await page.locator(`#${table} tbody tr`).allInnerTexts()).map((r) => r.split('\t'));

/** Navigates and waits until the new view has loaded (its state leaves "ready" first). */
async function go(page: Page, action: () => Promise<unknown>): Promise<void> {
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await action();
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
}

describe('dashboard cost views', () => {
  it('show cached input, cache writes and reasoning tokens beside every cost, and cost per day of one environment', async () => {
    const page = await signedIn(VIEWER);
    // Columns: provider, calls, input, output, cost, unpriced, cached input, cache writes, reasoning.
    expect(await rows(page, 'cost')).toEqual([
      ['anthropic', '1', '3,000', '500', '$0.012', '0', '0', '2,000', '100'],
      ['openai', '2', '1,300', '310', '$0.00031', '0', '1,000', '0', '0'],
    ]);
    expect(await rows(page, 'cost-models')).toEqual([
      ['anthropic', 'claude-sonnet-4-5', '1', '3,000', '500', '$0.012', '0', '0', '2,000', '100'],
      ['openai', 'gpt-4o-mini', '2', '1,300', '310', '$0.00031', '0', '1,000', '0', '0'],
    ]);
    expect(await rows(page, 'cost-days')).toEqual([
      ['2026-03-10', '2', '1,300', '310', '$0.00031', '0', '1,000', '0', '0'],
      ['2026-03-11', '1', '3,000', '500', '$0.012', '0', '0', '2,000', '100'],
    ]);
    await go(page, () => page.selectOption('#environment', 'staging'));
    expect(await rows(page, 'cost-days')).toEqual([['2026-03-10', '1', '100', '10', '< $0.0001', '0', '0', '0', '0']]);
    await go(page, () => page.selectOption('#environment', 'prod'));
    // $0.000285 rounds half away from zero on its decimal value, though the float is 0.000284999… (the exact value is on hover).
    expect(await rows(page, 'cost-days')).toEqual([
      ['2026-03-10', '1', '1,200', '300', '$0.00029', '0', '1,000', '0', '0'],
      ['2026-03-11', '1', '3,000', '500', '$0.012', '0', '0', '2,000', '100'],
    ]);
    fs.mkdirSync(artifacts, { recursive: true });
    await page.locator('#cost-models').locator('xpath=ancestor::section').screenshot({ path: path.join(artifacts, 'dashboard-costs.png') });
    await page.close();
  }, 60_000);
});

describe('dashboard alert history', () => {
  it('offers Acknowledge on open alerts, and refuses it to the viewer token without signing out', async () => {
    const page = await signedIn(VIEWER);
    const history = await rows(page, 'alert-history');
    expect(history.map((r) => r.slice(1))).toEqual(expect.arrayContaining([
      ['critical', 'failed-login-burst-ip', '198.51.100.7', 'open', 'Acknowledge'],
      ['warning', 'cost-spike-user', 'u2', 'open', 'Acknowledge'],
    ]));
    expect(history).toHaveLength(2);
    await page.locator(`#alert-history tr[data-alert-id="${burst.id}"] button`).click();
    await page.waitForFunction(() => document.getElementById('error')?.textContent !== '');
    expect(await page.locator('#error').innerText()).toBe('acknowledging an alert needs the admin token; the viewer token only reads');
    expect(await page.locator('#app').isVisible()).toBe(true);
    expect(await page.locator(`#alert-history tr[data-alert-id="${burst.id}"] button`).isEnabled()).toBe(true);
    expect((await listAlerts(sink)).map((a) => [a.id, a.status])).toEqual(expect.arrayContaining([[burst.id, 'open'], [spike.id, 'open']]));
    await page.close();
  }, 60_000);

  it('acknowledges an alert from the history with the admin token, audited', async () => {
    const page = await signedIn(ADMIN, '&service=shop');
    await page.locator(`#alert-history tr[data-alert-id="${burst.id}"] button`).click();
    await page.waitForFunction((id) => document.querySelector(`#alert-history tr[data-alert-id="${id}"] td:nth-child(5)`)?.textContent === 'acknowledged', burst.id);
    expect((await page.locator(`#alert-history tr[data-alert-id="${burst.id}"]`).innerText()).split('\t').slice(1))
      .toEqual(['critical', 'failed-login-burst-ip', '198.51.100.7', 'acknowledged', 'dashboard:127.0.0.1']);
    // The open alerts above no longer list it; the other one is still open in both.
    expect(await page.locator('#alerts tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.alertId))).toEqual([spike.id]);
    expect((await page.locator(`#alert-history tr[data-alert-id="${spike.id}"]`).innerText()).split('\t').slice(4)).toEqual(['open', 'Acknowledge']);
    expect((await listAlerts(sink)).find((a) => a.id === burst.id)).toMatchObject({ status: 'acknowledged', acknowledged_by: 'dashboard:127.0.0.1' });
    const audit = await sink.query<{ user_id: string; resource_id: string }>("SELECT user_id, resource_id FROM activities WHERE action = 'admin.ack'");
    expect(audit).toEqual([{ user_id: 'admin', resource_id: burst.id }]);
    await page.close();
  }, 60_000);

  it('filters the history by rule, severity and service, kept in the address, reloading only the history', async () => {
    const billing = newAlert({ service: 'billing', rule: 'error-rate-spike', severity: 'critical', subject: 'POST /pay', value: 0.2, threshold: 0.05, details: '{}' }, new Date());
    await writeAlerts(sink, [billing]);
    const page = await signedIn(VIEWER, '&alert_severity=critical');
    const overviewReads: string[] = [];
    page.on('request', (r) => { if (r.url().includes('/api/reports/overview')) overviewReads.push(r.url()); });
    const ids = () => page.locator('#alert-history tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.alertId ?? (tr as HTMLElement).innerText));
    /** Picks `value` in the filter `select` and waits for the history to show `expected` (alert ids, or the empty text). */
    const pick = async (select: string, value: string, expected: string[]) => {
      await page.selectOption(select, value);
      await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('#alert-history tbody tr')]
        .map((tr) => (tr as HTMLElement).dataset.alertId ?? (tr as HTMLElement).innerText)) === want, JSON.stringify(expected));
    };
    expect(await page.locator('#alert-severity').inputValue()).toBe('critical');
    expect(await ids()).toEqual([billing.id, burst.id]);
    // The rule choices are the rules the service evaluates (schemas/alerts), whatever was raised.
    expect(await page.locator('#alert-rule option').allInnerTexts()).toEqual(['every rule', 'after-hours-admin', 'concurrent-sessions', 'cost-spike-provider',
      'cost-spike-user', 'error-rate-spike', 'failed-login-burst-ip', 'failed-login-burst-user', 'rapid-navigation']);
    await pick('#alert-rule', 'failed-login-burst-ip', [burst.id]);
    expect(new URL(page.url()).hash).toBe('#from=2026-03-10&to=2026-03-12&alert_severity=critical&alert_rule=failed-login-burst-ip');
    await pick('#alert-severity', 'warning', ['no warning alert from failed-login-burst-ip']);
    await pick('#alert-status', 'open', ['no open warning alert from failed-login-burst-ip']);
    await pick('#alert-rule', '', [spike.id]);
    await pick('#alert-severity', '', [billing.id, spike.id]);
    expect(overviewReads).toEqual([]);
    // A shared address opens on the same filters; the service filter above applies to the history too.
    await page.goto(`${base}/dashboard#from=2026-03-10&to=2026-03-12&service=shop&alert_rule=cost-spike-user`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
    expect(await page.locator('#alert-rule').inputValue()).toBe('cost-spike-user');
    expect(await page.locator('#alert-status').inputValue()).toBe('open,acknowledged,resolved');
    expect(await ids()).toEqual([spike.id]);
    // No rows of 'billing' make it a service choice: the address names it.
    await go(page, () => page.evaluate(() => { location.hash = location.hash.replace('service=shop', 'service=billing'); }));
    expect(await rows(page, 'alert-history')).toEqual([['no alert from cost-spike-user in billing']]);
    await pick('#alert-rule', '', [billing.id]);
    const audit = await sink.query<{ resource_id: string; details: string }>(
      "SELECT resource_id, details FROM activities WHERE action = 'dashboard.read' AND resource_type = 'alerts' AND details LIKE '%billing%' ORDER BY timestamp",
    );
    expect(audit.map((a) => [a.resource_id, JSON.parse(a.details)])).toEqual([
      ['open,acknowledged,resolved', { rule: 'cost-spike-user', service: 'billing' }],
      ['open,acknowledged,resolved', { service: 'billing' }],
    ]);
    await page.close();
  }, 60_000);

  it('binds the alert filters as parameters and names a wrong severity', async () => {
    const get = (query: string) => fetch(`${base}/api/alerts?${query}`, { headers: { authorization: `Bearer ${VIEWER}` } });
    for (const value of ["x' OR '1'='1", "') OR 1=1 --", '{rule:String}']) {
      const response = await get(`status=open,acknowledged,resolved&rule=${encodeURIComponent(value)}&service=${encodeURIComponent(value)}`);
      expect(response.status, value).toBe(200);
      expect(((await response.json()) as { alerts: unknown[] }).alerts, value).toEqual([]);
    }
    const wrong = await get('severity=high');
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'severity must be one of info, warning, critical, got "high"' });
  });
});
