/**
 * Reports are exact for any window and any time zone: rollup forms equal their .raw twins and the truth kept by the
 * generator over random windows (partial days, one hour, whole days), rows past raw retention count nowhere, and the
 * whole report suite prints the same under TZ=UTC and TZ=America/Los_Angeles.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCatalog } from '../exporter/analytics/query-catalog';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { chTime, generateActivity, insertGenerated, lcg, Truth } from './helpers/activity-generator';
import { serverModule } from './helpers/built-paths';
import { runChild } from './helpers/run-child';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-analytics-windows-'));
const dataDir = path.join(root, 'data');
let sink: EmbeddedSink | undefined;
const catalog = QueryCatalog.load();
// A fixed "now" inside the last hour keeps rows within the 90-day raw retention the test migrates with.
const NOW_MS = Math.floor(Date.now() / 1000) * 1000;
const data = generateActivity(20261202, NOW_MS);
const truth = new Truth(data);
const ROLLUPS = catalog.list().filter((q) => q.source === 'rollup').map((q) => q.name);
const OLD_MS = NOW_MS - 400 * DAY_MS;

/** UInt64 comes back as text in JSON; compare numbers as numbers. */
function norm(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));
}

async function run(name: string, from: string, to: string, extra: Record<string, string> = {}): Promise<Array<Record<string, unknown>>> {
  const declared = new Set(catalog.get(name).params.map((p) => p.name));
  return norm(await catalog.run(sink!, name, { ...(declared.has('from') ? { from } : {}), ...(declared.has('to') ? { to } : {}), ...extra }));
}

/** Windows that cut days anywhere: the last hour and day (--since 1h / 24h), random spans, whole days, one day's middle. */
function windows(): Array<{ label: string; from: string; to: string }> {
  const rand = lcg(99);
  const startOfToday = Math.floor(NOW_MS / DAY_MS) * DAY_MS;
  const list = [
    { label: 'since 1h', from: chTime(NOW_MS - HOUR_MS), to: chTime(NOW_MS) },
    { label: 'since 24h', from: chTime(NOW_MS - DAY_MS), to: chTime(NOW_MS) },
    { label: 'whole days', from: chTime(startOfToday - 7 * DAY_MS), to: chTime(startOfToday) },
    { label: 'inside one day', from: chTime(startOfToday - 3 * DAY_MS + 3 * HOUR_MS + 17), to: chTime(startOfToday - 3 * DAY_MS + 20 * HOUR_MS) },
    { label: 'from midnight to mid-day', from: chTime(startOfToday - 2 * DAY_MS), to: chTime(startOfToday - 2 * DAY_MS + 5 * HOUR_MS + 1) },
    { label: '500 days (covers the 400-day-old row)', from: chTime(NOW_MS - 500 * DAY_MS), to: chTime(NOW_MS + 1) },
  ];
  for (let i = 0; i < 6; i++) {
    const a = data.startMs - DAY_MS + Math.floor(rand() * 11 * DAY_MS);
    const b = a + 1 + Math.floor(rand() * 5 * DAY_MS);
    list.push({ label: `random ${i}`, from: chTime(a), to: chTime(b) });
  }
  return list;
}

beforeAll(async () => {
  sink = new EmbeddedSink({ dataDir });
  await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 });
  await insertGenerated(sink, data);
  // One row of each kind dated 400 days back: past the 90-day raw retention, so no report may count it.
  const old = chTime(OLD_MS);
  const late = [
    ['access_log', { ...data.access[0], timestamp: old, span_id: 'old-a' }],
    ['auth_events', { ...data.auth[0], timestamp: old, span_id: 'old-b' }],
    ['external_calls', { ...data.external[1], timestamp: old, span_id: 'old-c' }],
  ] as const;
  for (const [table, row] of late) {
    const result = await sink.insert(table, [row], { dedupToken: `late-${table}` });
    if (!result.ok) throw result.error;
  }
}, 120_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('rollup forms over any window', () => {
  it('the catalogue has the twelve rollup reports, each with a .raw twin', () => {
    expect(ROLLUPS.sort()).toEqual(['auth-per-day', 'cost-by-provider', 'cost-by-user', 'cost-per-day', 'daily-active-users', 'device-mix', 'endpoint-latency', 'engagement', 'route-users-per-day', 'slowest-endpoints', 'top-routes', 'trends']);
    for (const name of ROLLUPS) expect(catalog.get(`${name}.raw`).source).toBe('raw');
  });

  for (const w of windows()) {
    it(`${w.label}: every rollup report equals its .raw twin and the generator's truth`, async () => {
      for (const name of ROLLUPS) {
        const extra: Record<string, string> = name === 'slowest-endpoints' ? { limit: '100' } : {};
        const rollup = await run(name, w.from, w.to, extra);
        const raw = await run(`${name}.raw`, w.from, w.to, extra);
        if (name !== 'slowest-endpoints') {
          expect(rollup, `${name} over ${w.from} .. ${w.to}`).toEqual(raw);
          continue;
        }
        // avg_ms divides a Float64 sum added up in another order (per-day states vs rows): equal to 1 µs, not to the bit.
        const withoutAvg = (rows: typeof raw) => rows.map(({ avg_ms: _avg, ...rest }) => rest);
        expect(withoutAvg(rollup), `${name} over ${w.from} .. ${w.to}`).toEqual(withoutAvg(raw));
        rollup.forEach((r, i) => expect(Math.abs(Number(r.avg_ms) - Number(raw[i].avg_ms))).toBeLessThanOrEqual(0.0010001));
      }
      expect(await run('top-routes', w.from, w.to, { limit: '100' })).toEqual(truth.topRoutes(w.from, w.to));
      expect(await run('cost-by-provider', w.from, w.to)).toEqual(truth.costByProvider(w.from, w.to));
      expect(await run('auth-per-day', w.from, w.to)).toEqual(truth.authPerDay(w.from, w.to));
      expect(await run('daily-active-users', w.from, w.to)).toEqual(truth.dailyActiveUsers(w.from, w.to));
      expect(await run('route-users-per-day', w.from, w.to)).toEqual(truth.routeUsersPerDay(w.from, w.to));
      const overview = await run('overview', w.from, w.to);
      expect([overview[0].requests, overview[0].users]).toEqual([truth.totalRequests(w.from, w.to), truth.activeUsers(w.from, w.to)]);
    });
  }

  it('one hour of a day counts that hour, not the whole day the rollup holds', async () => {
    const dayStart = Math.floor(NOW_MS / DAY_MS) * DAY_MS - 2 * DAY_MS;
    const from = chTime(dayStart + 10 * HOUR_MS);
    const to = chTime(dayStart + 11 * HOUR_MS);
    const total = (await run('top-routes', from, to, { limit: '100' })).reduce((s, r) => s + Number(r.requests), 0);
    expect(total).toBe(truth.totalRequests(from, to));
    expect(truth.totalRequests(chTime(dayStart), chTime(dayStart + DAY_MS))).toBeGreaterThan(total * 5);
  });

  it('a row 400 days old is in no raw table and no rollup', async () => {
    const from = chTime(OLD_MS - DAY_MS);
    const to = chTime(OLD_MS + DAY_MS);
    for (const table of ['access_route_daily', 'access_client_daily', 'auth_daily', 'external_cost_daily', 'active_users_daily', 'engagement_session_daily', 'engagement_user_days']) {
      const day = table === 'engagement_user_days' ? 'month' : 'day';
      expect(norm(await sink!.query(`SELECT count() AS n FROM ${table} WHERE ${day} < {d:Date}`, { d: chTime(NOW_MS - 100 * DAY_MS).slice(0, 10) })), table).toEqual([{ n: 0 }]);
    }
    for (const name of ROLLUPS) expect(await run(name, from, to), name).toEqual([]);
  });

  it('cost keeps its real precision: a $1.6e-7 call is not printed as 0', async () => {
    const tiny = data.external.find((c) => data.costNanos.get(c.span_id) === 160)!;
    const at = Date.parse(`${tiny.timestamp.replace(' ', 'T')}Z`);
    const rows = await run('cost-by-provider', chTime(at), chTime(at + 1));
    expect(rows).toEqual([{
      provider: tiny.provider, calls: 1, unpriced_calls: 0, input_tokens: tiny.input_tokens, output_tokens: tiny.output_tokens, cost_usd: 1.6e-7,
      cache_read_tokens: tiny.cache_read_tokens, cache_write_tokens: tiny.cache_write_tokens, reasoning_tokens: tiny.reasoning_tokens,
    }]);
  });
});

describe('reports against the truth', () => {
  const ws = windows().filter((w) => !w.label.startsWith('500'));

  it('activities lists custom activities newest first, filtered by user, action, resource type and id, audit rows on request', async () => {
    for (const w of ws) {
      expect(await run('activities', w.from, w.to), w.label).toEqual(norm(truth.activities(w.from, w.to)));
      for (const filter of [{ user: 'u3' }, { action: 'invoice.export' }, { resource_type: 'report', resource_id: '4' }, { include_audit: true }, { action: 'dashboard.read' }, { action: 'dashboard.read', include_audit: true }]) {
        const params = Object.fromEntries(Object.entries(filter).map(([k, v]) => [k, String(v)]));
        expect(await run('activities', w.from, w.to, params), `${w.label} ${JSON.stringify(filter)}`).toEqual(norm(truth.activities(w.from, w.to, filter)));
      }
    }
    const all = await run('activities', chTime(data.startMs), chTime(NOW_MS), { include_audit: 'true', limit: '1000' });
    expect(all).toHaveLength(data.activities.length);
  });

  it('activity-counts counts per UTC day and action, user or resource type, and refuses another grouping', async () => {
    for (const w of ws) {
      for (const by of ['action', 'user', 'resource_type'] as const) {
        expect(await run('activity-counts', w.from, w.to, { by }), `${w.label} by ${by}`).toEqual(truth.activityCounts(w.from, w.to, by));
      }
    }
    await expect(run('activity-counts', chTime(data.startMs), chTime(NOW_MS), { by: 'route' })).rejects.toThrow(/by must be action, user or resource_type/);
  });

  it('trends per day, ISO week and month equal trends.raw and the truth, with the change against the previous period', async () => {
    const long = { label: '50 days', from: chTime(data.startMs - 40 * DAY_MS), to: chTime(NOW_MS) };
    for (const w of [...ws, long]) {
      for (const period of ['day', 'week', 'month'] as const) {
        const rollup = await run('trends', w.from, w.to, { period });
        expect(rollup, `${w.label} per ${period}`).toEqual(await run('trends.raw', w.from, w.to, { period }));
        expect(rollup, `${w.label} per ${period}`).toEqual(truth.trends(w.from, w.to, period));
      }
    }
    const weeks = await run('trends', long.from, long.to, { period: 'week' });
    for (const row of weeks) expect(new Date(`${String(row.bucket)}T00:00:00Z`).getUTCDay(), String(row.bucket)).toBe(1);
    expect(weeks.filter((r) => r.requests_change_ratio !== null).length).toBeGreaterThan(0);
    await expect(run('trends', long.from, long.to, { period: 'year' })).rejects.toThrow(/period must be day, week or month/);
  });

  it('engagement gives sessions, requests per session, session length, new and returning users per day', async () => {
    for (const w of ws) {
      expect(await run('engagement', w.from, w.to), w.label).toEqual(truth.engagement(w.from, w.to));
      for (const lookback of ['0', '3']) {
        expect(await run('engagement', w.from, w.to, { lookback_days: lookback }), `${w.label} lookback ${lookback}`).toEqual(await run('engagement.raw', w.from, w.to, { lookback_days: lookback }));
        expect(await run('engagement', w.from, w.to, { lookback_days: lookback }), `${w.label} lookback ${lookback}`).toEqual(truth.engagement(w.from, w.to, Number(lookback)));
      }
    }
    const rows = await run('engagement', chTime(data.startMs), chTime(NOW_MS), { lookback_days: '0' });
    expect(rows.reduce((s, r) => s + Number(r.new_users), 0)).toBe(new Set(data.access.map((r) => r.user_id).filter(Boolean)).size);
  });

  it('throughput buckets hours and ISO weeks starting Monday 00:00 UTC', async () => {
    for (const w of ws) expect(await run('throughput', w.from, w.to), w.label).toEqual(truth.throughput(w.from, w.to, 60));
    const all = { from: chTime(data.startMs), to: chTime(NOW_MS) };
    const weeks = await run('throughput', all.from, all.to, { bucket_minutes: '10080' });
    expect(weeks).toEqual(truth.throughput(all.from, all.to, 10080));
    for (const row of weeks) expect(String(row.bucket)).toMatch(/ 00:00:00$/);
    for (const row of weeks) expect(new Date(`${String(row.bucket).slice(0, 10)}T00:00:00Z`).getUTCDay()).toBe(1);
  });

  it('alert-history counts alerts raised per rule, with acknowledged, resolved, still open and time to acknowledge', async () => {
    for (const w of [...ws, { label: 'all', from: chTime(data.startMs), to: chTime(NOW_MS) }]) {
      expect(await run('alert-history', w.from, w.to), w.label).toEqual(truth.alertHistory(w.from, w.to));
    }
    const all = truth.alertHistory(chTime(data.startMs), chTime(NOW_MS));
    expect(all.reduce((s, r) => s + Number(r.raised), 0)).toBe(40);
    expect(all.some((r) => Number(r.resolved) > 0 && Number(r.still_open) > 0)).toBe(true);
  });
});

/** Runs every report over fixed windows in a child process with its own TZ; prints one JSON document. */
const SUITE_CHILD = `
const { EmbeddedSink } = require(${JSON.stringify(serverModule('exporter/sinks/embedded-sink'))});
const { QueryCatalog } = require(${JSON.stringify(serverModule('exporter/analytics/query-catalog'))});
(async () => {
  const [dataDir, windowsJson] = process.argv.slice(1);
  const sink = new EmbeddedSink({ dataDir });
  const catalog = QueryCatalog.load();
  const out = { tz: (await sink.query('SELECT timezone() AS tz'))[0].tz, reports: {}, skipped: [] };
  // Values for parameters some reports require; a report needing another one is listed as skipped.
  const required = { route: '/api/products', user: 'u3', session: 's-u3-0' };
  for (const w of JSON.parse(windowsJson)) {
    for (const q of catalog.list()) {
      const values = {};
      let runnable = true;
      for (const p of q.params) {
        if (p.name === 'from') values.from = w.from;
        else if (p.name === 'to') values.to = w.to;
        else if (p.defaultValue === undefined) {
          if (required[p.name] === undefined) runnable = false;
          else values[p.name] = required[p.name];
        }
      }
      if (!runnable) { out.skipped.push(q.name); continue; }
      out.reports[q.name + ' ' + w.from + ' ' + w.to] = await catalog.run(sink, q.name, values);
    }
  }
  await sink.close();
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

describe('time zones', () => {
  it('the whole report suite prints the same under TZ=UTC and TZ=America/Los_Angeles, and equals the truth', async () => {
    await sink!.close();
    sink = undefined;
    const startOfToday = Math.floor(NOW_MS / DAY_MS) * DAY_MS;
    // --from/--to as the CLI binds them (dates are UTC midnights) and a --since 24h window.
    const ws = [
      { from: chTime(startOfToday - 9 * DAY_MS), to: chTime(startOfToday + DAY_MS) },
      { from: chTime(NOW_MS - DAY_MS), to: chTime(NOW_MS) },
    ];
    type SuiteRun = { tz: string; reports: Record<string, Array<Record<string, unknown>>>; skipped: string[] };
    const runIn = async (tz: string): Promise<SuiteRun> => {
      const child = await runChild(process.execPath, ['-e', SUITE_CHILD, dataDir, JSON.stringify(ws)], { env: { ...process.env, TZ: tz }, timeoutMs: 120_000 });
      expect(child.status, child.stderr).toBe(0);
      return JSON.parse(child.stdout) as SuiteRun;
    };
    const utc = await runIn('UTC');
    const la = await runIn('America/Los_Angeles');
    expect([utc.tz, la.tz]).toEqual(['UTC', 'America/Los_Angeles']);
    expect(utc.skipped).toEqual([]);
    expect(Object.keys(utc.reports).length).toBe(catalog.list().length * ws.length);
    // slowest-endpoints.avg_ms divides the rollup's Float64 sum, added up in the order parts are read: compared to 1 µs.
    const stable = (reports: typeof utc.reports) => Object.fromEntries(Object.entries(reports).map(([k, rows]) =>
      [k, k.startsWith('slowest-endpoints ') ? rows.map(({ avg_ms: _avg, ...rest }) => rest) : rows]));
    expect(Object.keys(la.reports).filter((k) => JSON.stringify(stable(la.reports)[k]) !== JSON.stringify(stable(utc.reports)[k]))).toEqual([]);
    for (const [k, rows] of Object.entries(la.reports).filter(([key]) => key.startsWith('slowest-endpoints '))) {
      rows.forEach((r, i) => expect(Math.abs(Number(r.avg_ms) - Number(utc.reports[k][i].avg_ms)), k).toBeLessThanOrEqual(0.0010001));
    }
    for (const w of ws) {
      expect(norm(la.reports[`overview ${w.from} ${w.to}`])[0].requests).toBe(truth.totalRequests(w.from, w.to));
      expect(norm(la.reports[`cost-by-provider ${w.from} ${w.to}`])).toEqual(truth.costByProvider(w.from, w.to));
      expect(norm(la.reports[`top-routes ${w.from} ${w.to}`])).toEqual(truth.topRoutes(w.from, w.to));
    }
  }, 240_000);
});
