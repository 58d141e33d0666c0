/**
 * The dashboard as a tool, in headless Chromium against the real service (`otel-activity serve` on chDB) fed real OTLP
 * spans: windows and buckets in the address, service/environment filters, formatted numbers, auto-refresh that pauses,
 * and the route, user and session drill-downs reached by clicking; screenshots in test-artifacts/.
 */
// The callbacks given to page.evaluate and waitForFunction run in Chromium: they are typed with the DOM's globals
// (for the whole type-check: @types/node then takes fetch's Headers from the DOM, whose iterators are in dom.iterable).
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handMadeSpan } from '../bench/lib/hand-made-span';
import { createService, type ServiceProcess } from './helpers/service-process';
import { OtlpSender, spanIdFor, traceIdFor } from './helpers/otlp-sender';
import { launchChromium } from './helpers/dashboard-page';

const VIEWER = 'dash-viewer-token-7c2e91';
const HOSTILE_PATH = '/api/items/<img src=x onerror="window.__xss=1">';
const artifacts = path.resolve(__dirname, '..', 'test-artifacts');
const MIN = 60_000;
const now = Date.now();
const shop = resourceFromAttributes({ 'service.name': 'shop', 'deployment.environment.name': 'prod' });
const billing = resourceFromAttributes({ 'service.name': 'billing', 'deployment.environment.name': 'staging' });
let service: ServiceProcess;
let browser: Browser;
let page: Page;
const requested: string[] = [];

let seq = 0;
function span(kind: SpanKind, minutesAgo: number, durationMs: number, attributes: Attributes, resource = shop): ReadableSpan {
  seq++;
  return handMadeSpan({
    name: `span ${seq}`, kind, traceId: traceIdFor(18, seq), spanId: spanIdFor(18, seq), startMs: now - minutesAgo * MIN, durationMs, attributes, resource,
    scope: { name: 'dashboard-drilldown-test' },
  });
}
const desktop = { 'client.address': '203.0.113.0', 'activity.user_agent.device_type': 'desktop', 'activity.user_agent.browser': 'Chrome', 'activity.user_agent.os': 'Linux' };
const access = (minutesAgo: number, ms: number, method: string, route: string, p: string, status: number, user: string, session: string, extra: Attributes = desktop, resource = shop) =>
  span(SpanKind.SERVER, minutesAgo, ms, { 'activity.kind': 'access', 'http.request.method': method, 'http.route': route, 'url.path': p, 'http.response.status_code': status, 'user.id': user, 'session.id': session, ...extra }, resource);

const spans = [
  span(SpanKind.INTERNAL, 22, 1, { 'activity.kind': 'auth', 'activity.auth.event': 'login_failed', 'activity.auth.success': false, 'activity.auth.reason': 'bad_password', 'user.id': 'alice', 'session.id': 'sess-a1' }),
  span(SpanKind.INTERNAL, 21, 1, { 'activity.kind': 'auth', 'activity.auth.event': 'login', 'activity.auth.success': true, 'user.id': 'alice', 'session.id': 'sess-a1' }),
  access(20, 0.385353, 'GET', '/api/items/:id', '/api/items/1', 200, 'alice', 'sess-a1'),
  access(19, 12.46, 'GET', '/api/items/:id', '/api/items/2', 200, 'alice', 'sess-a1'),
  span(SpanKind.CLIENT, 18.5, 40, { 'activity.kind': 'external', 'activity.external.service': 'openai', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.usage.input_tokens': 12_345, 'gen_ai.usage.output_tokens': 7, 'activity.cost.usd': 1.6e-7, 'http.request.method': 'POST', 'server.address': 'api.openai.com',
    'http.response.status_code': 200, 'user.id': 'alice', 'session.id': 'sess-a1' }),
  access(18, 1234, 'POST', '/api/orders', '/api/orders', 500, 'alice', 'sess-a1'),
  span(SpanKind.CLIENT, 17, 90, { 'activity.kind': 'external', 'activity.external.service': 'anthropic', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-x',
    'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20, 'activity.cost.usd': 0.002017, 'http.request.method': 'POST', 'server.address': 'api.anthropic.com',
    'http.response.status_code': 200, 'user.id': 'alice', 'session.id': 'sess-a1' }),
  span(SpanKind.INTERNAL, 16, 1, { 'activity.kind': 'custom', 'activity.action': 'invoice.export', 'activity.resource.type': 'invoice', 'activity.resource.id': '42', 'user.id': 'alice', 'session.id': 'sess-a1' }),
  access(10, 250.2, 'GET', '/api/items/:id', HOSTILE_PATH, 404, 'bob', 'sess-b1', { 'client.address': '198.51.100.0', 'activity.user_agent.device_type': 'mobile' }),
  access(5, 5, 'GET', '/api/items/:id', '/api/items/3', 200, 'bob', 'sess-b1', { 'client.address': '198.51.100.0', 'activity.user_agent.device_type': 'mobile' }),
  access(180, 7, 'GET', '/api/items/:id', '/api/items/9', 200, 'alice', 'sess-a0'),
  access(2, 3, 'GET', '/invoices', '/invoices', 200, 'carol', 'sess-c1', desktop, billing),
  // A model nobody has a price for: its cost is NULL ("unpriced"), never $0.
  span(SpanKind.CLIENT, 3, 30, { 'activity.kind': 'external', 'activity.external.service': 'openai', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'mystery-model',
    'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 10, 'http.request.method': 'POST', 'server.address': 'api.openai.com',
    'http.response.status_code': 200, 'user.id': 'carol', 'session.id': 'sess-c1' }, billing),
  // Unseen for 26.5 minutes: past the 25-minute "about to expire" threshold, inside the 30-minute session life.
  access(26.5, 3, 'GET', '/invoices', '/invoices', 200, 'dave', 'sess-d1', desktop, billing),
];

beforeAll(async () => {
  service = await createService({ env: { OTEL_ACTIVITY_VIEWER_TOKEN: VIEWER } });
  await service.start();
  const sender = new OtlpSender({ url: service.tracesUrl, encoding: 'protobuf' });
  expect((await sender.send(spans)).status).toBe(200);
  expect(await service.waitForCount('SELECT count() AS n FROM access_log', {}, 8)).toBe(8);
  expect(await service.waitForCount('SELECT count() AS n FROM external_calls', {}, 3)).toBe(3);
  expect(await service.waitForCount("SELECT count() AS n FROM activities WHERE service = 'shop'", {}, 1)).toBe(1);
  expect(await service.waitForCount('SELECT count() AS n FROM auth_events', {}, 2)).toBe(2);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  page.on('request', (r) => requested.push(r.url()));
  await page.clock.install();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await service?.dispose();
});

/** What the page shows for a row's time: UTC to the second. */
const utcText = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
const ready = () => page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
const hash = () => new URLSearchParams(new URL(page.url()).hash.slice(1));
const texts = (selector: string) => page.locator(selector).allInnerTexts();
const rows = async (table: string) => (await texts(`#${table} tbody tr`)).map((r) => r.split('\t'));
/** At 390 px nothing is wider than the screen (wide tables scroll inside their panel); screenshots at both widths. */
async function expectFitsPhone(name: string): Promise<void> {
  fs.mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 900 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(390);
  await page.screenshot({ path: path.join(artifacts, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1400, height: 1600 });
}

/** Navigates and waits until the new view has loaded (its state leaves "ready" first). */
async function go(action: () => Promise<unknown>): Promise<void> {
  await page.evaluate(() => { document.body.dataset.state = 'navigating'; });
  await action();
  await ready();
}

describe('dashboard: time that fits the window', () => {
  it('signs in with the viewer token and shows the window of the address, formatted', async () => {
    await page.goto(`${service.baseUrl}/dashboard#since=1h&service=shop`);
    await page.waitForSelector('body[data-state="login"]');
    await page.fill('#token', VIEWER);
    await go(() => page.click('#login-form button'));
    expect(await page.locator('#since').inputValue()).toBe('1h');
    expect(await page.locator('#service').inputValue()).toBe('shop');
    expect(await page.locator('[data-tile="requests"]').innerText()).toBe('5');
    expect(await page.locator('[data-tile="errors"]').innerText()).toBe('1');
    expect(await page.locator('[data-tile="external_calls"]').innerText()).toBe('2');
    expect(await page.locator('[data-tile="cost_usd"]').innerText()).toBe('$0.0020');
    // Money keeps its precision: $1.6e-7 is never $0; the exact value is on hover.
    expect(await rows('cost')).toEqual([
      ['anthropic', '1', '100', '20', '$0.0020', '0', '0', '0', '0'],
      ['openai', '1', '12,345', '7', '< $0.0001', '0', '0', '0', '0'],
    ]);
    expect(await page.locator('#cost tbody tr:nth-child(2) td:nth-child(5)').getAttribute('title')).toBe('$1.6e-7');
    expect(await rows('cost-models')).toEqual([
      ['anthropic', 'claude-x', '1', '100', '20', '$0.0020', '0', '0', '0', '0'],
      ['openai', 'gpt-4o-mini', '1', '12,345', '7', '< $0.0001', '0', '0', '0', '0'],
    ]);
    expect(await rows('cost-users')).toEqual([['alice', '2', '$0.0020', '0']]);
    // Per UTC day: both of shop's calls, unless midnight fell between them.
    const [d1, d2] = [now - 18.5 * MIN, now - 17 * MIN].map((t) => new Date(t).toISOString().slice(0, 10));
    expect(await rows('cost-days')).toEqual(d1 === d2 ? [[d1, '2', '12,445', '27', '$0.0020', '0', '0', '0', '0']]
      : [[d1, '1', '12,345', '7', '< $0.0001', '0', '0', '0', '0'], [d2, '1', '100', '20', '$0.0020', '0', '0', '0', '0']]);
    expect(await texts('#unpriced tbody tr')).toEqual(['every model call in this window is priced']);
    expect(await page.locator('#cost-users a.user-link').getAttribute('href')).toBe('#view=user&user=alice&since=1h&service=shop');
    // Durations in ms/s with sensible precision, newest first.
    expect((await rows('activity')).map((r) => r[5])).toEqual(['5 ms', '250 ms', '1.2 s', '12.5 ms', '0.39 ms']);
    const routes = await rows('routes');
    expect(routes.map((r) => [r[0], r[1], r[2], r[6]])).toEqual([['GET', '/api/items/:id', '4', '0.0%'], ['POST', '/api/orders', '1', '100.0%']]);
    expect(routes[1].slice(3, 6)).toEqual(['1.2 s', '1.2 s', '1.2 s']);
    expect(await page.locator('#throughput-title').innerText()).toBe('Requests and errors per minute');
    expect(await page.locator('#throughput-chart').getAttribute('data-bucket')).toBe('minute');
    expect(Number(await page.locator('#throughput-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(60);
  }, 60_000);

  it('renders markup from stored paths as text', async () => {
    expect((await rows('activity')).map((r) => r[3])).toContain(HOSTILE_PATH);
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  });

  it('picks the bucket from the window for every preset and keeps the preset in the address', async () => {
    const expected: Array<[string, string, string]> = [['15m', 'minute', 'per minute'], ['24h', 'hour', 'per hour'], ['7d', 'day', 'per day'],
      ['30d', 'day', 'per day'], ['90d', 'week', 'per week'], ['1h', 'minute', 'per minute']];
    for (const [since, bucket, title] of expected) {
      await go(() => page.selectOption('#since', since));
      expect(hash().get('since')).toBe(since);
      expect(hash().get('service')).toBe('shop');
      expect(await page.locator('#throughput-chart').getAttribute('data-bucket')).toBe(bucket);
      expect(await page.locator('#throughput-title').innerText()).toBe(`Requests and errors ${title}`);
    }
    await go(() => page.selectOption('#since', '24h'));
    // The request 3 hours ago is in the 24 h window, not in the hour.
    expect(await page.locator('[data-tile="requests"]').innerText()).toBe('6');
    expect(Number(await page.locator('#throughput-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(24);
  }, 120_000);

  it('takes a custom UTC range, charted per minute with every minute of it', async () => {
    const from = new Date(Math.floor((now - 30 * MIN) / MIN) * MIN).toISOString().slice(0, 16);
    const to = new Date(Math.floor((now - 30 * MIN) / MIN) * MIN + 30 * MIN).toISOString().slice(0, 16);
    await page.selectOption('#since', 'custom');
    await page.fill('#custom-from', from);
    await page.fill('#custom-to', to);
    await go(() => page.click('#custom-apply'));
    expect([hash().get('from'), hash().get('to'), hash().get('since')]).toEqual([from, to, null]);
    expect(await page.locator('#throughput-chart').getAttribute('data-points')).toBe('30');
    const inside = spans.filter((s) => s.attributes['activity.kind'] === 'access' && s.resource === shop)
      .filter((s) => { const t = s.startTime[0] * 1000 + s.startTime[1] / 1e6; return t >= Date.parse(from + 'Z') && t < Date.parse(to + 'Z'); }).length;
    expect(await page.locator('[data-tile="requests"]').innerText()).toBe(String(inside));
    // A shared address opens the same view.
    const shared = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await shared.addInitScript((t) => sessionStorage.setItem('otelActivityAdminToken', t), VIEWER);
    await shared.goto(page.url());
    await shared.waitForSelector('body[data-state="ready"]');
    expect(await shared.locator('[data-tile="requests"]').innerText()).toBe(String(inside));
    expect(await shared.locator('#since').inputValue()).toBe('custom');
    await shared.close();
  }, 60_000);

  it('filters by service and environment from the choices the data offers', async () => {
    await go(() => page.evaluate(() => { location.hash = 'since=1h'; }));
    expect(await page.locator('#service option').allInnerTexts()).toEqual(['all services', 'billing', 'shop']);
    expect(await page.locator('#environment option').allInnerTexts()).toEqual(['all environments', 'prod', 'staging']);
    expect(await page.locator('[data-tile="requests"]').innerText()).toBe('7');
    await go(() => page.selectOption('#environment', 'staging'));
    expect(hash().get('environment')).toBe('staging');
    expect(await page.locator('[data-tile="requests"]').innerText()).toBe('2');
    expect((await rows('routes')).map((r) => r[1])).toEqual(['/invoices']);
    expect(await rows('unpriced')).toEqual([[utcText(now - 3 * MIN), 'carol', 'openai', 'mystery-model', '1,000', '10']]);
    expect(await rows('cost-models')).toEqual([['openai', 'mystery-model', '1', '1,000', '10', 'unpriced', '1', '0', '0', '0']]);
    // Cost per day of the chosen environment only.
    expect(await rows('cost-days')).toEqual([[new Date(now - 3 * MIN).toISOString().slice(0, 10), '1', '1,000', '10', 'unpriced', '1', '0', '0', '0']]);
    await go(() => page.selectOption('#environment', ''));
    await go(() => page.selectOption('#service', 'shop'));
    expect(hash().get('service')).toBe('shop');
    expect(await page.locator('[data-tile="requests"]').innerText()).toBe('5');
  }, 60_000);

  it('refreshes every 30 s, and not while paused', async () => {
    const filterCalls = () => requested.filter((u) => u.includes('/api/reports/dashboard-filters')).length;
    const before = filterCalls();
    // Half-way through choosing a custom range: the refresh reloads the data and leaves the choice alone.
    await page.selectOption('#since', 'custom');
    await page.clock.fastForward(30_500);
    await ready();
    expect(filterCalls()).toBe(before + 1);
    expect([await page.locator('#since').inputValue(), await page.locator('#custom-range').isVisible()]).toEqual(['custom', true]);
    await page.selectOption('#since', '1h');
    expect(await page.locator('#custom-range').isVisible()).toBe(false);
    await page.click('#pause');
    expect(await page.locator('#refresh-state').innerText()).toBe('auto-refresh paused');
    await page.clock.fastForward(61_000);
    // A manual refresh after the paused minute: one more call, so none came from the timer.
    await go(() => page.click('#refresh'));
    expect(filterCalls()).toBe(before + 2);
    await page.click('#pause');
    expect(await page.locator('#refresh-state').innerText()).toBe('auto-refresh every 30 s');
  }, 60_000);
});

describe('dashboard: drill-down', () => {
  it('opens a route from the top routes: traffic, latency, status mix, slowest requests, top users', async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'dashboard-overview.png'), fullPage: true });
    // Usable at 390 px: nothing wider than the screen (wide tables scroll inside their panel).
    await page.setViewportSize({ width: 390, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-overview-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1400, height: 1600 });
    // Keyboard reachable: a route is a link, opened with Enter.
    await page.locator('#routes a', { hasText: '/api/items/:id' }).focus();
    await go(() => page.keyboard.press('Enter'));
    expect(Object.fromEntries(hash())).toEqual({ view: 'route', method: 'GET', route: '/api/items/:id', since: '1h', service: 'shop' });
    expect(await page.locator('#route-title').innerText()).toBe('GET /api/items/:id');
    expect(await page.locator('[data-route-tile="requests"]').innerText()).toBe('4');
    expect(await page.locator('[data-route-tile="errors"]').innerText()).toBe('0');
    expect(await page.locator('[data-route-tile="error_ratio"]').innerText()).toBe('0.0%');
    expect(await rows('route-status')).toEqual([['200', '3', '75.0%'], ['404', '1', '25.0%']]);
    expect(await rows('route-users')).toEqual([
      ['alice', '2', '0', utcText(now - 19 * MIN)],
      ['bob', '2', '0', utcText(now - 5 * MIN)],
    ]);
    const slowest = await rows('route-slowest');
    expect(slowest.map((r) => [r[1], r[2], r[3], r[4], r[5]])).toEqual([
      ['bob', 'sess-b1', HOSTILE_PATH, '404', '250 ms'],
      ['alice', 'sess-a1', '/api/items/2', '200', '12.5 ms'],
      ['bob', 'sess-b1', '/api/items/3', '200', '5 ms'],
      ['alice', 'sess-a1', '/api/items/1', '200', '0.39 ms'],
    ]);
    expect(await page.locator('#route-latency-chart').getAttribute('data-bucket')).toBe('minute');
    expect(await page.locator('main img').count()).toBe(0);
    await expectFitsPhone('dashboard-route');
  }, 60_000);

  it('opens a user from the route page: totals and the timeline across tables, in order', async () => {
    await go(() => page.locator('#route-users a', { hasText: 'alice' }).click());
    expect(Object.fromEntries(hash())).toEqual({ view: 'user', user: 'alice', since: '1h', service: 'shop' });
    expect(await page.locator('#user-title').innerText()).toBe('User alice');
    const tiles = Object.fromEntries(await page.locator('[data-user-tile]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-user-tile'), (e as HTMLElement).innerText])));
    expect(tiles).toEqual({ requests: '3', errors: '1', sessions: '1', logins: '1', failed_logins: '1', external_calls: '2', cost_usd: '$0.0020', activities: '1' });
    const timeline = await rows('user-timeline');
    expect(timeline.map((r) => r[0])).toEqual([22, 21, 20, 19, 18.5, 18, 17, 16].map((m) => utcText(now - m * MIN)));
    expect(timeline.map((r) => r.slice(1, 6))).toEqual([
      ['auth', 'sess-a1', 'login_failed', 'bad_password', 'failed'],
      ['auth', 'sess-a1', 'login', '', 'ok'],
      ['access', 'sess-a1', 'GET /api/items/:id', '/api/items/1', '200'],
      ['access', 'sess-a1', 'GET /api/items/:id', '/api/items/2', '200'],
      ['external', 'sess-a1', 'openai gpt-4o-mini', 'POST api.openai.com', '200'],
      ['access', 'sess-a1', 'POST /api/orders', '/api/orders', '500'],
      ['external', 'sess-a1', 'anthropic claude-x', 'POST api.anthropic.com', '200'],
      ['activity', 'sess-a1', 'invoice.export', 'invoice 42', ''],
    ]);
    expect(timeline.map((r) => r[7])).toEqual(['', '', '', '', '< $0.0001', '', '$0.0020', '']);
    expect(timeline.map((r) => r[6])).toEqual(['', '', '0.39 ms', '12.5 ms', '40 ms', '1.2 s', '90 ms', '']);
    expect(await page.locator('#user-timeline tr.session-start').count()).toBe(1);
    await page.setViewportSize({ width: 390, height: 900 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-user-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1400, height: 1600 });
    await page.screenshot({ path: path.join(artifacts, 'dashboard-user.png'), fullPage: true });
  }, 60_000);

  it('opens a session from the timeline: its pages in order, duration, device, IP', async () => {
    await go(() => page.locator('#user-timeline a', { hasText: 'sess-a1' }).first().click());
    expect(Object.fromEntries(hash())).toEqual({ view: 'session', session: 'sess-a1', since: '1h', service: 'shop' });
    expect(await page.locator('#session-title').innerText()).toBe('Session sess-a1');
    const field = (name: string) => page.locator(`#session-summary dd[data-field="${name}"]`).innerText();
    expect(await field('User')).toBe('alice');
    expect(await field('Duration')).toBe('2 min 0 s');
    expect(await field('Requests')).toBe('3');
    expect(await field('Device')).toBe('desktop');
    expect(await field('Browser')).toBe('Chrome');
    expect(await field('IP')).toBe('203.0.113.0');
    expect((await rows('session-pages')).map((r) => [r[1], r[2], r[4], r[5]])).toEqual([
      ['GET', '/api/items/1', '200', '0.39 ms'],
      ['GET', '/api/items/2', '200', '12.5 ms'],
      ['POST', '/api/orders', '500', '1.2 s'],
    ]);
    // And back to the route of a page, in the same window.
    await go(() => page.locator('#session-pages a', { hasText: '/api/orders' }).click());
    expect(Object.fromEntries(hash())).toEqual({ view: 'route', method: 'POST', route: '/api/orders', since: '1h', service: 'shop' });
    expect(await rows('route-status')).toEqual([['500', '1', '100.0%']]);
    await go(() => page.goBack());
    expect(hash().get('view')).toBe('session');
    await expectFitsPhone('dashboard-session');
  }, 60_000);

  it('shows the sessions of the moment with their status, and the custom activities with filters', async () => {
    await go(() => page.evaluate(() => { location.hash = 'since=1h'; }));
    // Status by minutes since the last request (15 and 25 by default), whatever the window; newest first.
    expect((await rows('sessions')).map((r) => [r[0], r[1], r[2], r[4], r[5], r[6]])).toEqual([
      ['sess-c1', 'carol', 'active', '/invoices', '1', '203.0.113.0'],
      ['sess-b1', 'bob', 'active', '/api/items/3', '2', '198.51.100.0'],
      ['sess-a1', 'alice', 'idle', '/api/orders', '3', '203.0.113.0'],
      ['sess-d1', 'dave', 'about to expire', '/invoices', '1', '203.0.113.0'],
    ]);
    expect(await page.locator('#sessions-legend').innerText()).toBe('As of the end of the window. Active: a request in the last 15 minutes; idle: 15 to 25; about to expire: 25 to 30.');
    expect(await rows('custom-activities')).toEqual([[utcText(now - 16 * MIN), 'alice', 'sess-a1', 'invoice.export', 'invoice 42', '']]);
    await page.fill('#custom-action', 'report.download');
    await page.click('#custom-filters button');
    await page.waitForSelector('#custom-activities td.empty');
    expect(await texts('#custom-activities tbody tr')).toEqual(['no custom activity in this window: record one with trackActivity({ action, resourceType, resourceId })']);
    await page.fill('#custom-action', 'invoice.export');
    await page.click('#custom-filters button');
    await page.waitForSelector('#custom-activities a.user-link');
    expect((await rows('alert-history'))).toEqual([['no alert raised yet (alert rules run in the service: see Alerts in the README)']]);
  }, 60_000);

  it('opens users and sessions from the overview tables too, and every read is an audit row by the viewer', async () => {
    await go(() => page.evaluate(() => { location.hash = 'since=1h&service=shop'; }));
    await go(() => page.locator('#sessions a.session-link', { hasText: 'sess-b1' }).click());
    expect(hash().get('view')).toBe('session');
    expect(await page.locator('#session-summary dd[data-field="Device"]').innerText()).toBe('mobile');
    const audit = await service.query<{ resource_id: string }>(
      "SELECT DISTINCT resource_id FROM activities WHERE action = 'dashboard.read' AND user_id = 'viewer' ORDER BY resource_id",
    );
    expect(audit.map((a) => a.resource_id)).toEqual(expect.arrayContaining(['route-over-time', 'route-status-mix', 'route-top-users', 'route-slowest-requests',
      'user-totals', 'user-timeline', 'session-summary', 'user-journey', 'dashboard-filters', 'overview', 'sessions-now', 'activities', 'open,acknowledged,resolved', 'cost-by-model', 'cost-by-user.raw', 'cost-per-day', 'unpriced-calls']));
    expect(requested.filter((u) => u.includes(VIEWER))).toEqual([]);
  }, 60_000);

  it('records an activity by hand with the admin token only, audited, shown as text', async () => {
    await go(() => page.evaluate(() => { location.hash = 'since=1h&service=shop'; }));
    await page.click('#record-activity summary');
    await page.fill('#record-action', 'refund.issued');
    await page.click('#record-form button');
    await page.waitForFunction(() => document.getElementById('record-result')?.textContent !== '');
    expect(await page.locator('#record-result').innerText()).toBe('recording an activity needs the admin token; the viewer token only reads');
    // The viewer stays signed in.
    expect(await page.locator('#app').isVisible()).toBe(true);

    const admin = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
    await admin.addInitScript((t) => sessionStorage.setItem('otelActivityAdminToken', t), service.adminToken);
    await admin.goto(`${service.baseUrl}/dashboard#since=1h&service=shop`);
    await admin.waitForSelector('body[data-state="ready"]');
    await admin.click('#record-activity summary');
    await admin.fill('#record-user', 'bob');
    await admin.fill('#record-action', 'refund.issued');
    await admin.fill('#record-resource-type', 'order');
    await admin.fill('#record-resource-id', '77');
    await admin.fill('#record-details', '<b>by hand</b>');
    await admin.click('#record-form button');
    await admin.waitForFunction(() => document.getElementById('record-result')?.textContent?.startsWith('Recorded'));
    expect(await admin.locator('#record-result').innerText()).toBe('Recorded refund.issued for bob in shop.');
    await admin.waitForFunction(() => document.querySelectorAll('#custom-activities tbody tr').length === 2);
    const recorded = (await admin.locator('#custom-activities tbody tr').allInnerTexts()).map((r) => r.split('\t').slice(1));
    expect(recorded).toEqual([['bob', '', 'refund.issued', 'order 77', '<b>by hand</b>'], ['alice', 'sess-a1', 'invoice.export', 'invoice 42', '']]);
    expect(await admin.locator('#custom-activities b').count()).toBe(0);
    await admin.close();

    const bad = await fetch(`${service.baseUrl}/api/activities`, { method: 'POST', headers: { authorization: `Bearer ${service.adminToken}` }, body: '{"action":"bad action!"}' });
    expect([bad.status, await bad.json()]).toEqual([400, { error: 'action must be 1 to 128 letters, digits or _ . : / -, got "bad action!"' }]);
    const audit = await service.query<{ user_id: string; resource_id: string; details: string }>(
      "SELECT user_id, resource_id, details FROM activities WHERE action = 'admin.operation' AND resource_type = 'activity'",
    );
    expect(audit.map((a) => [a.user_id, a.resource_id, JSON.parse(a.details).user, JSON.parse(a.details).service])).toEqual([['admin', 'refund.issued', 'bob', 'shop']]);
  }, 60_000);

  it('takes the session thresholds from the service config (OTEL_ACTIVITY_SESSION_IDLE_MINUTES, _EXPIRING_MINUTES)', async () => {
    await service.stop();
    const second = await createService({ root: service.root, env: { OTEL_ACTIVITY_VIEWER_TOKEN: VIEWER, OTEL_ACTIVITY_SESSION_IDLE_MINUTES: '3', OTEL_ACTIVITY_SESSION_EXPIRING_MINUTES: '10' } });
    try {
      await second.start();
      const response = await fetch(`${second.baseUrl}/api/reports/sessions-now?since=1h&service=shop`, { headers: { authorization: `Bearer ${VIEWER}` } });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { rows: Array<{ session_id: string; status: string; idle_minutes: number; expire_minutes: number; ttl_minutes: number }> };
      expect(body.rows.map((r) => [r.session_id, r.status, r.idle_minutes, r.expire_minutes, r.ttl_minutes])).toEqual([
        ['sess-b1', 'idle', 3, 10, 30],
        ['sess-a1', 'about to expire', 3, 10, 30],
      ]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
