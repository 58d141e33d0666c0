/**
 * The dashboard in headless Chromium (Debian chromium + playwright-core) over real chDB data: refuses without the
 * admin token, shows the exact numbers inserted, renders a hostile user agent as text, acknowledges an alert,
 * records audit rows for every API read, and saves a screenshot to test-artifacts/dashboard.png.
 */
// The callbacks given to page.evaluate and waitForFunction run in Chromium: they are typed with the DOM's globals
// (for the whole type-check: @types/node then takes fetch's Headers from the DOM, whose iterators are in dom.iterable).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts, newAlert, writeAlerts } from '../exporter/analytics/alert-store';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { buildFixture, HOSTILE_UA, insertFixture } from './helpers/analytics-fixture';
import { launchChromium, serveDashboard, type DashboardServer } from './helpers/dashboard-page';

const TOKEN = 'dash-test-token-5b1f0c';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-dashboard-'));
const sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
const fx = buildFixture();
const artifacts = path.resolve(__dirname, '..', 'test-artifacts');
let server: DashboardServer;
let base = '';
let browser: Browser;
let page: Page;
let alertId = '';
const requestedUrls: string[] = [];

beforeAll(async () => {
  await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
  await insertFixture(sink, fx);
  const alert = newAlert({ service: 'shop', rule: 'failed-login-burst-ip', severity: 'critical', subject: '198.51.100.7', value: 12, threshold: 10, details: '{}' }, new Date());
  alertId = alert.id;
  await writeAlerts(sink, [alert]);
  server = await serveDashboard({ sink, adminToken: TOKEN, serviceName: 'otel-activity-test' });
  base = server.base;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  page.on('request', (r) => requestedUrls.push(r.url()));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await sink.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const tile = (name: string): Promise<string> => page.locator(`[data-tile="${name}"]`).innerText();

describe('dashboard', () => {
  it('refuses the API without the admin token and shows the sign-in form', async () => {
    expect((await fetch(`${base}/api/reports/overview?from=2026-03-10&to=2026-03-12`)).status).toBe(401);
    const wrong = await fetch(`${base}/api/alerts`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'missing or wrong token (Authorization: Bearer <viewer or admin token>)' });
    expect((await fetch(`${base}/api/alerts/${alertId}/ack`, { method: 'POST' })).status).toBe(401);
    await page.goto(`${base}/dashboard#from=2026-03-10&to=2026-03-12`);
    await page.waitForSelector('body[data-state="login"]');
    expect(await page.locator('#login').isVisible()).toBe(true);
    expect(await page.locator('#app').isVisible()).toBe(false);
    // A wrong token sends the user back to the form with the server's reason.
    await page.fill('#token', 'wrong-token');
    await page.click('#login-form button');
    await page.waitForSelector('body[data-state="login"]');
    expect(await page.locator('#login-error').innerText()).toBe('missing or wrong token (Authorization: Bearer <viewer or admin token>)');
  });

  it('shows the exact numbers of the inserted rows after signing in', async () => {
    await page.fill('#token', TOKEN);
    await page.click('#login-form button');
    await page.waitForSelector('body[data-state="ready"]', { timeout: 20_000 });
    expect(await tile('requests')).toBe('120');
    expect(await tile('errors')).toBe(String(fx.access.filter((r) => r.status >= 500).length));
    expect(await tile('users')).toBe('4');
    expect(await tile('sessions')).toBe(String(new Set(fx.access.map((r) => r.session_id)).size));
    expect(await tile('failed_logins')).toBe('7');
    expect(await tile('external_calls')).toBe('5');
    expect(await tile('cost_usd')).toBe('$0.013');
    const costRows = await page.locator('#cost tbody tr').allInnerTexts();
    expect(costRows[0].split('\t')).toEqual(['openai', '3', '3,000', '700', '$0.010', '0', '0', '0', '0']);
    expect(await page.locator('#routes tbody tr').count()).toBe(4);
    expect(await page.locator('#failed-ips tbody tr').first().innerText()).toMatch(/^198\.51\.100\.7\t6\t2\t/);
    expect(await page.locator('#throughput-chart').evaluate((c: HTMLCanvasElement) => c.width > 0)).toBe(true);
  });

  it('renders a hostile user agent as text, never as markup', async () => {
    const cells = await page.locator('#activity tbody tr td:nth-child(8)').allInnerTexts();
    expect(cells).toContain(HOSTILE_UA);
    expect(await page.locator('#activity img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('filters the activity log', async () => {
    await page.fill('#filter-user', 'u2');
    await page.selectOption('#filter-status', '400');
    await page.click('#activity-filters button');
    const expected = fx.access.filter((r) => r.user_id === 'u2' && r.status >= 400).length;
    await page.waitForFunction((n) => document.querySelectorAll('#activity tbody tr').length === n && !document.querySelector('#activity tbody td[colspan]'), expected);
    const users = await page.locator('#activity tbody tr td:nth-child(2)').allInnerTexts();
    expect(users).toEqual(Array(expected).fill('u2'));
  });

  it('saves a screenshot', async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
    expect(fs.statSync(path.join(artifacts, 'dashboard.png')).size).toBeGreaterThan(10_000);
  });

  it('acknowledges an open alert from the page', async () => {
    const row = page.locator(`#alerts tr[data-alert-id="${alertId}"]`);
    expect((await row.innerText()).split('\t').slice(1, 6)).toEqual(['critical', 'failed-login-burst-ip', '198.51.100.7', '12', '10']);
    await row.locator('button').click();
    await page.waitForSelector(`#alerts tr[data-alert-id="${alertId}"]`, { state: 'detached' });
    expect(await page.locator('#alerts tbody').innerText()).toBe('no open alerts');
    // The history keeps it, acknowledged, with who did it.
    await page.waitForFunction(() => document.querySelector('#alert-history tbody tr td:nth-child(5)')?.textContent === 'acknowledged');
    expect((await page.locator('#alert-history tbody tr').innerText()).split('\t').slice(1)).toEqual(['critical', 'failed-login-burst-ip', '198.51.100.7', 'acknowledged', 'dashboard:127.0.0.1']);
    // Filtered by status: not among the open ones any more, among the acknowledged.
    await page.selectOption('#alert-status', 'open');
    await page.waitForFunction(() => document.querySelector('#alert-history tbody td.empty') !== null);
    expect(await page.locator('#alert-history tbody').innerText()).toBe('no open alert');
    await page.selectOption('#alert-status', 'acknowledged');
    await page.waitForFunction(() => document.querySelectorAll('#alert-history tbody tr td:nth-child(5)').length === 1);
    expect((await page.locator('#alert-history tbody tr').innerText()).split('\t')[4]).toBe('acknowledged');
    const [stored] = await listAlerts(sink);
    expect(stored).toMatchObject({ id: alertId, status: 'acknowledged', acknowledged_by: 'dashboard:127.0.0.1' });
  });

  it('records every API read and the acknowledgement as audit activities, and never puts the token in a URL', async () => {
    const audit = await sink.query<{ action: string; resource_id: string; n: number }>(
      "SELECT action, resource_id, count() AS n FROM activities WHERE user_id = 'admin' GROUP BY action, resource_id ORDER BY action, resource_id",
    );
    const byKey = Object.fromEntries(audit.map((a) => [`${a.action} ${a.resource_id}`, Number(a.n)]));
    expect(byKey['admin.ack ' + alertId]).toBe(1);
    expect(byKey['dashboard.read overview']).toBe(1);
    expect(byKey['dashboard.read recent-activity']).toBe(2);
    // Open alerts at sign-in and after the acknowledgement, and the history filtered to open ones.
    expect(byKey['dashboard.read open']).toBe(3);
    // Refused calls (no or wrong token) are not reads and leave no row.
    expect(Object.keys(byKey).sort()).toEqual([
      `admin.ack ${alertId}`,
      'dashboard.read acknowledged',
      'dashboard.read activities',
      'dashboard.read cost-by-model',
      'dashboard.read cost-by-provider.raw',
      'dashboard.read cost-by-user.raw',
      'dashboard.read cost-per-day',
      'dashboard.read dashboard-filters',
      'dashboard.read endpoint-latency.raw',
      'dashboard.read failed-logins-by-ip',
      'dashboard.read open',
      'dashboard.read open,acknowledged,resolved',
      'dashboard.read overview',
      'dashboard.read recent-activity',
      'dashboard.read sessions-now',
      'dashboard.read signups-logins-per-day',
      'dashboard.read throughput',
      'dashboard.read unpriced-calls',
    ]);
    expect(requestedUrls.length).toBeGreaterThan(10);
    expect(requestedUrls.filter((u) => u.includes(TOKEN))).toEqual([]);
    // The dashboard user's address follows the same anonymisation as the app's rows (127.0.0.1 → /24).
    const ips = await sink.query<{ ip: string }>(
      "SELECT DISTINCT toString(client_ip) AS ip FROM activities WHERE action IN ('dashboard.read', 'admin.ack')",
    );
    expect(ips).toEqual([{ ip: '::ffff:127.0.0.0' }]);
  });
});
