/**
 * The dashboard does not move under the reader while its data loads: Cumulative Layout Shift of the overview and of
 * the route, user and session pages, with every API answer held back a little, stays under 0.1 (web-vitals "good").
 */
// The callbacks given to page.evaluate and addInitScript run in Chromium: they are typed with the DOM's globals.
/// <reference lib="dom" />
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAlert, writeAlerts } from '../exporter/analytics/alert-store';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { buildFixture, DAY1, insertFixture } from './helpers/analytics-fixture';
import { launchChromium, serveDashboard, type DashboardServer } from './helpers/dashboard-page';

const TOKEN = 'layout-shift-token-71c2d9';
/** Held back per API answer, so the page is seen loading (the embedded engine answers in a few ms). */
const API_DELAY_MS = 300;
/** web-vitals: a CLS up to 0.1 is "good". */
const GOOD_CLS = 0.1;
const WINDOW = 'from=2026-03-10&to=2026-03-12';
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-dashboard-cls-'));
const sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
  await insertFixture(sink, buildFixture());
  await writeAlerts(sink, [newAlert({ service: 'shop', rule: 'failed-login-burst-ip', severity: 'critical', subject: '198.51.100.7', value: 12, threshold: 10, details: '{}' }, new Date())]);
  server = await serveDashboard({ sink, adminToken: TOKEN, serviceName: 'otel-activity-test' });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await sink.close();
  fs.rmSync(root, { recursive: true, force: true });
});

interface Shift {
  value: number;
  sources: string[];
}

/**
 * Opens `hash` signed in, every API answer held back API_DELAY_MS, and returns the layout shifts from the first paint
 * until the view is loaded and drawn (each with the elements that moved, to say what to fix).
 */
async function layoutShifts(hash: string, width: number): Promise<Shift[]> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.addInitScript((token) => {
    sessionStorage.setItem('otelActivityAdminToken', token);
    const shifts: Array<{ value: number; sources: string[] }> = [];
    (window as unknown as { __shifts: typeof shifts }).__shifts = shifts;
    const describe = (node: Node | null | undefined) => {
      const el = node as HTMLElement | null;
      if (!el || !el.tagName) return '?';
      return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '')
        + (el.closest('section') && el.closest('section') !== el ? ' in section:' + (el.closest('section')?.querySelector('h2')?.textContent ?? '') : '');
    };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as Array<PerformanceEntry & { value: number; hadRecentInput: boolean; sources?: Array<{ node?: Node }> }>) {
        if (!entry.hadRecentInput) shifts.push({ value: entry.value, sources: (entry.sources ?? []).map((s) => describe(s.node)) });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  }, TOKEN);
  await page.route('**/api/**', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, API_DELAY_MS));
    await route.continue();
  });
  await page.goto(`${server.base}/dashboard#${hash}`);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 30_000 });
  // Two frames after the last render, so its shifts are reported.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const shifts = await page.evaluate(() => (window as unknown as { __shifts: Shift[] }).__shifts);
  await page.close();
  return shifts;
}

const total = (shifts: Shift[]) => Math.round(shifts.reduce((sum, s) => sum + s.value, 0) * 10_000) / 10_000;

describe('dashboard layout while loading', () => {
  const views: Array<[string, string]> = [
    ['overview', WINDOW],
    ['route page', `view=route&method=GET&route=${encodeURIComponent('/api/products/:id')}&${WINDOW}`],
    ['user page', `view=user&user=u1&${WINDOW}`],
    ['session page', `view=session&session=sess-u1-${DAY1}&${WINDOW}`],
  ];
  for (const width of [1400, 390]) {
    for (const [name, hash] of views) {
      it(`keeps the ${name} at ${width} px still while its data loads (CLS < ${GOOD_CLS})`, async () => {
        const shifts = await layoutShifts(hash, width);
        const cls = total(shifts);
        // The measured value, for the record and to see what moved when it fails.
        console.log(`CLS ${name} ${width} px: ${cls}`, cls >= GOOD_CLS ? JSON.stringify(shifts) : '');
        expect(cls).toBeLessThan(GOOD_CLS);
      }, 60_000);
    }
  }
});
