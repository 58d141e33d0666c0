/**
 * Migration 019's day projections of access_log (chDB): built for the parts written before it and for every insert
 * after, read by the raw reports for whole UTC days, and those reports give what a scan of the rows gives (the same
 * SQL with projections off) and the counts made here, for any window; a lightweight DELETE still works on the table.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCatalog } from '../exporter/analytics/query-catalog';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { migrationsBefore } from './helpers/migrations-before';
import { chTime, lcg } from './helpers/activity-generator';
import { withoutMerges } from './helpers/without-merges';

const DAY_MS = 86_400_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-projections-'));
const catalog = QueryCatalog.load();
const SERVICES = ['shop', 'billing', 'search'];
const CLIENTS = [
  ['desktop', 'Chrome', 'Windows'],
  ['mobile', 'Mobile Safari', 'iOS'],
  ['bot', 'curl', ''],
];
const TODAY_MS = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const START_MS = TODAY_MS - 10 * DAY_MS;
/** The reports that read the projections, with the parameters each takes besides the window. */
const REPORTS: Array<[string, Record<string, string>]> = [
  ['top-routes.raw', { limit: '5' }],
  ['top-routes.raw', { limit: '3', offset: '2' }],
  ['device-mix.raw', {}],
  ['daily-active-users.raw', {}],
  ['dashboard-filters', {}],
  ['trends.raw', { period: 'day' }],
  ['trends.raw', { period: 'week' }],
  ['trends.raw', { period: 'month' }],
];
let sink: EmbeddedSink;

interface Req {
  readonly ms: number;
  readonly service: string;
  readonly route: string;
  readonly status: number;
  readonly user: string;
  readonly session: string;
  readonly client: number;
}
const sent: Req[] = [];

function requests(seed: number, n: number, fromMs: number, toMs: number): Req[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, () => {
    const ms = fromMs + Math.floor(rand() * (toMs - fromMs));
    const u = Math.floor(rand() * 25);
    return {
      ms,
      service: SERVICES[Math.floor(rand() * SERVICES.length)],
      route: `/r${Math.floor(rand() * 6)}`,
      status: rand() < 0.1 ? 503 : 200,
      user: rand() < 0.2 ? '' : `u${u}`,
      session: rand() < 0.1 ? '' : `s${u}-${Math.floor(ms / DAY_MS)}`,
      client: Math.floor(rand() * CLIENTS.length),
    };
  });
}

async function insert(rows: Req[], token: string): Promise<void> {
  const result = await sink.insert(
    'access_log',
    rows.map((r, i) => ({
      timestamp: chTime(r.ms), trace_id: `t${token}${i}`, span_id: `${token}-${i}`, service: r.service, environment: i % 2 === 0 ? 'production' : 'staging',
      method: i % 3 === 0 ? 'POST' : 'GET', route: r.route, path: r.route, status: r.status, duration_ms: 1, user_id: r.user, session_id: r.session,
      device_type: CLIENTS[r.client][0], browser: CLIENTS[r.client][1], os: CLIENTS[r.client][2], attributes: {},
    })),
    { dedupToken: token },
  );
  if (!result.ok) throw result.error;
  sent.push(...rows);
}

async function report(name: string, from: number, to: number, params: Record<string, string>, settings = ''): Promise<unknown[]> {
  const q = catalog.get(name);
  return sink.query(q.sql + settings, catalog.bind(name, { from: chTime(from), to: chTime(to), ...params }));
}

beforeAll(async () => {
  const before019 = migrationsBefore(root, 19);
  sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: before019 })).applied.at(-1)).toBe('018_access_trace_key');
  // Before the upgrade: parts the migration's MATERIALIZE PROJECTION has to fill.
  for (let i = 0; i < 3; i++) await insert(requests(10 + i, 400, START_MS, START_MS + 6 * DAY_MS), `before-${i}`);
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 })).applied[0]).toBe('019_access_day_projections');
  // After it: the same days again and later ones, each insert writing its own parts' projections.
  for (let i = 0; i < 3; i++) await insert(requests(20 + i, 400, START_MS + 4 * DAY_MS, TODAY_MS), `after-${i}`);
}, 180_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('access_log day projections (migration 019)', () => {
  it('are built for the parts written before the migration and after it', async () => {
    const rows = await sink.query<{ name: string; rows: string | number }>(
      // Migration 019's own; later migrations add others.
      "SELECT name, sum(rows) AS rows FROM system.projection_parts WHERE table = 'access_log' AND active AND name IN ('client_day', 'route_day', 'service_day') GROUP BY name ORDER BY name",
    );
    expect(rows.map((r) => r.name)).toEqual(['client_day', 'route_day', 'service_day']);
    await withoutMerges(sink, 'access_log', async () => {
      const parts = await sink.query<{ n: string | number }>("SELECT count() AS n FROM system.parts WHERE table = 'access_log' AND active");
      const withProjection = await sink.query<{ n: string | number }>(
        "SELECT uniqExact(parent_name) AS n FROM system.projection_parts WHERE table = 'access_log' AND active AND name = 'service_day'",
      );
      expect(Number(withProjection[0].n)).toBe(Number(parts[0].n));
    });
  });

  it('are what the reports read for whole days', async () => {
    const q = catalog.get('daily-active-users.raw');
    const plan = await sink.query<{ explain: string }>('EXPLAIN ' + q.sql, catalog.bind(q.name, { from: chTime(START_MS), to: chTime(TODAY_MS) }));
    // The report names service_day: route_day holds the same figures, and ClickHouse took it on a tie of marks.
    expect(plan.map((r) => r.explain).join('\n')).toContain('ReadFromMergeTree (service_day)');
    const top = catalog.get('top-routes.raw');
    const topPlan = await sink.query<{ explain: string }>('EXPLAIN ' + top.sql, catalog.bind(top.name, { from: chTime(START_MS), to: chTime(TODAY_MS) }));
    expect(topPlan.map((r) => r.explain).join('\n')).toContain('ReadFromMergeTree (route_day)');
  });

  it('give every report what a scan of the rows gives, over whole days, edges and windows inside one day', async () => {
    const rand = lcg(3);
    const windows: Array<[number, number]> = [
      [START_MS, TODAY_MS],
      [START_MS + 2 * DAY_MS, START_MS + 5 * DAY_MS],
      [START_MS + 3 * DAY_MS + 3_600_000, START_MS + 3 * DAY_MS + 7_200_000],
    ];
    for (let i = 0; i < 4; i++) {
      const a = START_MS + Math.floor(rand() * 10 * DAY_MS);
      const b = START_MS + Math.floor(rand() * 10 * DAY_MS);
      windows.push([Math.min(a, b), Math.max(a, b) + 1]);
    }
    for (const [from, to] of windows) {
      for (const [name, params] of REPORTS) {
        const read = await report(name, from, to, params);
        expect(read, `${name} ${chTime(from)}..${chTime(to)}`).toEqual(await report(name, from, to, params, '\nSETTINGS optimize_use_projections = 0'));
      }
    }
  });

  it('count requests, errors and distinct users per day as the rows sent say', async () => {
    const from = START_MS + DAY_MS + 5_000_000;
    const to = TODAY_MS - 3_000_000;
    const inWindow = sent.filter((r) => r.ms >= from && r.ms < to);
    const days = [...new Set(inWindow.map((r) => Math.floor(r.ms / DAY_MS)))].sort((x, y) => x - y);
    const expected = days.map((d) => {
      const of = inWindow.filter((r) => Math.floor(r.ms / DAY_MS) === d);
      return {
        day: new Date(d * DAY_MS).toISOString().slice(0, 10),
        active_users: new Set(of.map((r) => r.user).filter((u) => u !== '')).size,
        requests: of.length,
      };
    });
    const rows = (await report('daily-active-users.raw', from, to, {})) as Array<{ day: string; active_users: unknown; requests: unknown }>;
    expect(rows.map((r) => ({ day: r.day, active_users: Number(r.active_users), requests: Number(r.requests) }))).toEqual(expected);
    const filters = (await report('dashboard-filters', from, to, {})) as Array<{ requests: unknown }>;
    expect(filters.reduce((s, r) => s + Number(r.requests), 0)).toBe(inWindow.length);
    const errors = inWindow.filter((r) => r.status >= 500).length;
    const trends = (await report('trends.raw', from, to, { period: 'month' })) as Array<{ errors: unknown; requests: unknown }>;
    expect(trends.reduce((s, r) => s + Number(r.errors), 0)).toBe(errors);
    expect(trends.reduce((s, r) => s + Number(r.requests), 0)).toBe(inWindow.length);
  });

  it('let a lightweight DELETE erase a user, and the reports then count without them', async () => {
    await sink.command("DELETE FROM access_log WHERE user_id = 'u3'");
    const from = START_MS;
    const to = TODAY_MS;
    const left = sent.filter((r) => r.user !== 'u3' && r.ms >= from && r.ms < to);
    const filters = (await report('dashboard-filters', from, to, {})) as Array<{ requests: unknown }>;
    expect(filters.reduce((s, r) => s + Number(r.requests), 0)).toBe(left.length);
    for (const [name, params] of REPORTS) {
      expect(await report(name, from, to, params), name).toEqual(await report(name, from, to, params, '\nSETTINGS optimize_use_projections = 0'));
    }
  });
});
