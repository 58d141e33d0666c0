/**
 * Every named query in schemas/queries returns the numbers computed independently (in TypeScript) from the raw rows
 * inserted into real chDB tables made by the migrations; rollup forms equal their raw forms; values are bound.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCatalog, QueryCatalogError } from '../exporter/analytics/query-catalog';
import { formatReport } from '../exporter/cli/output-format';
import { parseSince, resolveWindow } from '../exporter/analytics/since';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { buildFixture, DAY1, DAY2, groupBy, insertFixture, round, WINDOW_FROM, WINDOW_TO } from './helpers/analytics-fixture';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-analytics-queries-'));
const sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
const catalog = QueryCatalog.load();
const fx = buildFixture();
const covered = new Set<string>();
const window = { from: WINDOW_FROM, to: WINDOW_TO };

/** UInt64 comes back as text in JSON; compare numbers as numbers. */
function norm(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));
}

async function run(name: string, values: Record<string, string> = {}): Promise<Array<Record<string, unknown>>> {
  covered.add(name);
  const query = catalog.get(name);
  const declared = new Set(query.params.map((p) => p.name));
  const withWindow: Record<string, string> = {};
  if (declared.has('from')) withWindow.from = window.from;
  if (declared.has('to')) withWindow.to = window.to;
  return norm(await catalog.run(sink, name, { ...withWindow, ...values }));
}

const day = (ts: string): string => ts.slice(0, 10);
const uniq = (values: string[]): number => new Set(values.filter((v) => v !== '')).size;
const isFailedLogin = (e: { event: string; success: boolean }): boolean => e.event === 'login_failed' || (e.event === 'login' && !e.success);
const exactQuantile = (values: number[], level: number): number => [...values].sort((a, b) => a - b)[Math.floor(level * values.length)];

beforeAll(async () => {
  await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
  await insertFixture(sink, fx);
});

afterAll(async () => {
  await sink.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('named queries over planted rows', () => {
  it('top-routes.raw counts requests, unique signed-in users and 5xx per endpoint, busiest first', async () => {
    const expected = groupBy(fx.access, (r) => `${r.service}|${r.method}|${r.route}`, (g) => ({
      service: g[0].service, method: g[0].method, route: g[0].route, requests: g.length, unique_users: uniq(g.map((r) => r.user_id)), errors: g.filter((r) => r.status >= 500).length,
    })).sort((a, b) => b.requests - a.requests || a.method.localeCompare(b.method) || a.route.localeCompare(b.route));
    const rows = await run('top-routes.raw');
    expect(rows).toEqual(expected);
    expect(rows.reduce((s, r) => s + Number(r.requests), 0)).toBe(120);
  });

  it('requests-per-user-per-day counts each signed-in user per day and filters by user', async () => {
    const signedIn = fx.access.filter((r) => r.user_id !== '');
    const expected = groupBy(signedIn, (r) => `${day(r.timestamp)}|${r.user_id}`, (g) => ({
      day: day(g[0].timestamp), user_id: g[0].user_id, requests: g.length, errors: g.filter((r) => r.status >= 500).length,
    }));
    const rows = await run('requests-per-user-per-day');
    expect(rows).toEqual(expect.arrayContaining(expected));
    expect(rows).toHaveLength(expected.length);
    expect(await run('requests-per-user-per-day', { user: 'u2' })).toEqual(expected.filter((e) => e.user_id === 'u2'));
  });

  it('user-top-endpoints ranks each user\'s endpoints', async () => {
    const rows = await run('user-top-endpoints', { user: 'u3' });
    const mine = fx.access.filter((r) => r.user_id === 'u3');
    const expected = groupBy(mine, (r) => `${r.method}|${r.route}`, (g) => ({
      user_id: 'u3', method: g[0].method, route: g[0].route, requests: g.length, last_seen: g.map((r) => r.timestamp).sort().at(-1),
    })).sort((a, b) => b.requests - a.requests || a.method.localeCompare(b.method) || a.route.localeCompare(b.route));
    expect(rows).toEqual(expected);
  });

  it('endpoint-latency.raw gives requests, errors and error rate exactly, and quantiles within the observed range', async () => {
    const rows = await run('endpoint-latency.raw');
    for (const r of ROUTES_OF(fx)) {
      const row = rows.find((x) => x.route === r.route)!;
      expect(row.requests).toBe(r.rows.length);
      expect(row.errors).toBe(r.rows.filter((x) => x.status >= 500).length);
      expect(row.error_ratio).toBe(round(r.rows.filter((x) => x.status >= 500).length / r.rows.length, 4));
      const durations = r.rows.map((x) => x.duration_ms);
      expect(Number(row.p50_ms)).toBeGreaterThanOrEqual(Math.min(...durations));
      expect(Number(row.p99_ms)).toBeLessThanOrEqual(Math.max(...durations));
      expect(Number(row.p50_ms)).toBeLessThanOrEqual(Number(row.p95_ms));
    }
  });

  it('slowest-endpoints gives requests, avg and max exactly, ordered by p95 within the observed range', async () => {
    const rows = await run('slowest-endpoints', { limit: '10' });
    expect(rows.map((r) => Number(r.p95_ms))).toEqual(rows.map((r) => Number(r.p95_ms)).sort((a, b) => b - a));
    expect(rows).toHaveLength(ROUTES_OF(fx).length);
    for (const r of ROUTES_OF(fx)) {
      const d = r.rows.map((x) => x.duration_ms);
      const row = rows.find((x) => x.route === r.route && x.method === r.method)!;
      expect(row).toMatchObject({ service: 'shop', requests: d.length, avg_ms: round(d.reduce((a, b) => a + b, 0) / d.length, 3), max_ms: Math.max(...d) });
      expect(Number(row.p95_ms)).toBeGreaterThanOrEqual(Math.min(...d));
      expect(Number(row.p95_ms)).toBeLessThanOrEqual(Math.max(...d));
    }
  });

  it('throughput buckets requests, 5xx and 4xx per hour', async () => {
    const expected = groupBy(fx.access, (r) => `${r.timestamp.slice(0, 13)}:00:00`, (g, k) => ({
      bucket: k, requests: g.length, errors: g.filter((r) => r.status >= 500).length, client_errors: g.filter((r) => r.status >= 400 && r.status < 500).length,
      avg_ms: round(g.reduce((s, r) => s + r.duration_ms, 0) / g.length, 3),
    })).sort((a, b) => a.bucket.localeCompare(b.bucket));
    expect(await run('throughput')).toEqual(expected);
  });

  it('active-users counts DAU, WAU and MAU before "to"', async () => {
    const dau = uniq(fx.access.filter((r) => day(r.timestamp) === DAY2).map((r) => r.user_id));
    const all = uniq(fx.access.map((r) => r.user_id));
    expect(await run('active-users')).toEqual([{ dau, wau: all, mau: all }]);
    expect(dau).toBe(4);
  });

  it('daily-active-users counts distinct users per day over requests, auth events and external calls, and all requests', async () => {
    const expected = [DAY1, DAY2].map((d) => {
      const ids = [...fx.access, ...fx.auth, ...fx.external].filter((r) => day(r.timestamp) === d).map((r) => r.user_id);
      return { day: d, active_users: uniq(ids), requests: fx.access.filter((r) => day(r.timestamp) === d).length };
    });
    expect(expected.map((e) => e.requests)).toEqual([60, 60]);
    expect(await run('daily-active-users')).toEqual(expected);
  });

  it('signups-logins-per-day and auth-per-day.raw count auth events per day', async () => {
    const perDay = [DAY1, DAY2].map((d) => {
      const e = fx.auth.filter((a) => day(a.timestamp) === d);
      return { day: d, signups: e.filter((a) => a.event === 'signup' && a.success).length, logins: e.filter((a) => a.event === 'login' && a.success).length, failed_logins: e.filter(isFailedLogin).length };
    });
    expect(await run('signups-logins-per-day')).toEqual(perDay);
    expect(perDay).toEqual([{ day: DAY1, signups: 2, logins: 1, failed_logins: 1 }, { day: DAY2, signups: 0, logins: 2, failed_logins: 6 }]);
    const expected = groupBy(fx.auth, (a) => `${day(a.timestamp)}|${a.event}|${a.success}`, (g) => ({
      day: day(g[0].timestamp), event: g[0].event, success: g[0].success, events: g.length, unique_users: uniq(g.map((a) => a.user_id)),
    })).sort((a, b) => a.day.localeCompare(b.day) || a.event.localeCompare(b.event) || Number(a.success) - Number(b.success));
    expect(await run('auth-per-day.raw')).toEqual(expected);
  });

  it('failed-logins-by-ip and failed-logins-by-user find the burst source and targets', async () => {
    const failed = fx.auth.filter(isFailedLogin);
    const byIp = await run('failed-logins-by-ip');
    expect(byIp.map((r) => [r.ip, r.failures, r.distinct_users])).toEqual([['198.51.100.7', 6, 2], ['10.0.2.1', 1, 1]]);
    expect(byIp.reduce((s, r) => s + Number(r.failures), 0)).toBe(failed.length);
    const byUser = await run('failed-logins-by-user', { min_failures: '2' });
    expect(byUser.map((r) => [r.user_id, r.failures, r.distinct_ips])).toEqual([['u4', 4, 1], ['u3', 2, 1]]);
  });

  it('active-sessions lists sessions seen in the last N minutes with their last page', async () => {
    const to = `${DAY2} 09:30:00.000`;
    const since = `${DAY2} 09:15:00.000`;
    const recent = fx.access.filter((r) => r.timestamp >= since && r.timestamp < to && r.session_id !== '');
    const expected = groupBy(recent, (r) => r.session_id, (g) => {
      const last = [...g].sort((a, b) => a.timestamp.localeCompare(b.timestamp)).at(-1)!;
      return { session_id: last.session_id, user_id: last.user_id, last_seen: last.timestamp, last_path: last.path, last_route: last.route, requests: g.length, ip: last.client_ip };
    }).sort((a, b) => b.last_seen.localeCompare(a.last_seen) || a.session_id.localeCompare(b.session_id));
    covered.add('active-sessions');
    const rows = norm(await catalog.run(sink, 'active-sessions', { to, minutes: '15' }));
    expect(rows).toEqual(expected);
    expect(rows.length).toBe(7);
  });

  it('user-journey returns one session\'s requests in order', async () => {
    const session = `sess-u1-${DAY1}`;
    const expected = fx.access.filter((r) => r.session_id === session).map((r) => ({
      timestamp: r.timestamp, session_id: session, user_id: 'u1', method: r.method, path: r.path, route: r.route, status: r.status, duration_ms: r.duration_ms,
    }));
    expect(await run('user-journey', { session })).toEqual(expected);
    // Without a session or user: the latest session of the window.
    const latest = [...fx.access].filter((r) => r.session_id !== '').sort((a, b) => a.timestamp.localeCompare(b.timestamp)).at(-1)!.session_id;
    const latestRows = await run('user-journey');
    expect(latestRows.map((r) => r.timestamp)).toEqual(fx.access.filter((r) => r.session_id === latest).map((r) => r.timestamp));
    expect(new Set(latestRows.map((r) => r.session_id))).toEqual(new Set([latest]));
  });

  it('external-calls-by-provider gives calls, latency, error rate and cost per provider', async () => {
    const expected = groupBy(fx.external, (c) => c.provider, (g) => {
      const errors = g.filter((c) => c.status >= 400 || c.status === 0).length;
      const d = g.map((c) => c.duration_ms);
      return { provider: g[0].provider, calls: g.length, avg_ms: round(d.reduce((a, b) => a + b, 0) / d.length, 3), p95_ms: exactQuantile(d, 0.95), errors, error_ratio: round(errors / g.length, 4), cost_usd: round(g.reduce((s, c) => s + (c.cost_usd ?? 0), 0), 9), unpriced_calls: g.filter((c) => c.cost_usd === null).length };
    }).sort((a, b) => b.calls - a.calls || a.provider.localeCompare(b.provider));
    expect(await run('external-calls-by-provider')).toEqual(expected);
  });

  it('cost reports sum tokens and USD per user, provider, model and day', async () => {
    const sums = (g: typeof fx.external) => ({ calls: g.length, input_tokens: g.reduce((s, c) => s + c.input_tokens, 0), output_tokens: g.reduce((s, c) => s + c.output_tokens, 0), cost_usd: round(g.reduce((s, c) => s + (c.cost_usd ?? 0), 0), 6), unpriced_calls: g.filter((c) => c.cost_usd === null).length,
      cache_read_tokens: g.reduce((s, c) => s + c.cache_read_tokens, 0), cache_write_tokens: g.reduce((s, c) => s + c.cache_write_tokens, 0), reasoning_tokens: g.reduce((s, c) => s + c.reasoning_tokens, 0) });
    const byUser = groupBy(fx.external, (c) => c.user_id, (g) => ({ user_id: g[0].user_id, ...sums(g) })).sort((a, b) => b.cost_usd - a.cost_usd || a.user_id.localeCompare(b.user_id));
    expect(await run('cost-by-user.raw')).toEqual(byUser);
    expect(byUser[0]).toEqual({ user_id: 'u2', calls: 1, input_tokens: 2000, output_tokens: 500, cost_usd: 0.01, unpriced_calls: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 });
    const byProvider = groupBy(fx.external, (c) => c.provider, (g) => ({ provider: g[0].provider, ...sums(g) })).sort((a, b) => b.cost_usd - a.cost_usd || a.provider.localeCompare(b.provider));
    expect(await run('cost-by-provider.raw')).toEqual(byProvider);
    const byModel = groupBy(fx.external.filter((c) => c.model), (c) => `${c.provider}|${c.model}`, (g) => ({ provider: g[0].provider, model: g[0].model, ...sums(g) })).sort((a, b) => b.cost_usd - a.cost_usd || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
    expect(await run('cost-by-model')).toEqual(byModel);
    const byDay = groupBy(fx.external, (c) => day(c.timestamp), (g) => ({ day: day(g[0].timestamp), ...sums(g) }));
    expect(await run('cost-per-day.raw')).toEqual(byDay);
  });

  it('status-codes splits responses by code and class with their share', async () => {
    const expected = groupBy(fx.access, (r) => String(r.status), (g) => ({ status: g[0].status, class: `${Math.floor(g[0].status / 100)}xx`, requests: g.length, share_ratio: round(g.length / fx.access.length, 4) })).sort((a, b) => a.status - b.status);
    expect(await run('status-codes')).toEqual(expected);
  });

  it('device-mix counts requests and sessions per device, browser and OS', async () => {
    const expected = groupBy(fx.access, (r) => `${r.device_type}|${r.browser}|${r.os}`, (g) => ({ device_type: g[0].device_type, browser: g[0].browser, os: g[0].os, requests: g.length, sessions: uniq(g.map((r) => r.session_id)) }))
      .sort((a, b) => b.requests - a.requests || a.device_type.localeCompare(b.device_type) || a.browser.localeCompare(b.browser) || a.os.localeCompare(b.os));
    expect(await run('device-mix')).toEqual(expected);
  });

  it('overview gives the headline numbers of the window', async () => {
    const d = fx.access.map((r) => r.duration_ms);
    expect(await run('overview')).toEqual([{
      requests: 120, errors: fx.access.filter((r) => r.status >= 500).length, users: 4, sessions: uniq(fx.access.map((r) => r.session_id)), p95_ms: exactQuantile(d, 0.95),
      failed_logins: 7, external_calls: 5, cost_usd: round(fx.external.reduce((s, c) => s + (c.cost_usd ?? 0), 0), 6),
    }]);
  });

  it('recent-activity and recent-auth-events list newest first with filters', async () => {
    const rows = await run('recent-activity', { user: 'u1', min_status: '400' });
    const expected = fx.access.filter((r) => r.user_id === 'u1' && r.status >= 400).sort((a, b) => b.timestamp.localeCompare(a.timestamp));
    expect(rows.map((r) => [r.timestamp, r.status])).toEqual(expected.map((r) => [r.timestamp, r.status]));
    expect((await run('recent-activity', { route: '/admin' })).length).toBe(fx.access.filter((r) => r.path.startsWith('/admin')).length);
    const auth = await run('recent-auth-events', { event: 'login_failed', limit: '3' });
    expect(auth.map((a) => [a.user_id, a.ip])).toEqual([['u3', '198.51.100.7'], ['u3', '198.51.100.7'], ['u4', '198.51.100.7']]);
  });
});

describe('rollup and raw forms agree', () => {
  for (const name of ['top-routes', 'endpoint-latency', 'slowest-endpoints', 'auth-per-day', 'cost-by-user', 'cost-by-provider', 'cost-per-day', 'device-mix', 'daily-active-users']) {
    it(`${name} (daily rollup) returns the same rows as ${name}.raw`, async () => {
      const rollup = await run(name);
      expect(catalog.get(name).source).toBe('rollup');
      expect(rollup.length).toBeGreaterThan(0);
      expect(rollup).toEqual(await run(`${name}.raw`));
    });
  }
});

describe('limits are visible', () => {
  it('a report cut at its limit says so in the table footer and in JSON; one that fits does not', async () => {
    const signedInDays = new Set(fx.access.filter((r) => r.user_id !== '').map((r) => `${day(r.timestamp)}|${r.user_id}`)).size;
    expect(signedInDays).toBe(8);
    const cut = await catalog.runReport(sink, 'requests-per-user-per-day', { ...window, limit: '3' });
    expect([cut.rows.length, cut.limit, cut.truncated]).toEqual([3, 3, true]);
    const exact = await catalog.runReport(sink, 'requests-per-user-per-day', { ...window, limit: String(signedInDays) });
    expect([exact.rows.length, exact.truncated]).toEqual([signedInDays, false]);
    const meta = { name: 'requests-per-user-per-day', ...window, limit: cut.limit, offset: cut.offset, truncated: cut.truncated };
    expect(formatReport(cut.rows, 'table', meta)).toMatch(/\n3 rows\nstopped at limit 3: more rows exist; next page: --param offset=3, or raise --param limit\n$/);
    expect(formatReport(exact.rows, 'table', { ...meta, truncated: false })).toMatch(/\n8 rows\n$/);
    expect(JSON.parse(formatReport(cut.rows, 'json', meta))).toEqual({ ...meta, next_offset: 3, rows: JSON.parse(JSON.stringify(cut.rows)) });
    // Pages of 3 put together are the whole list, in order, and only the last one is not cut.
    const pages = [];
    for (let offset = 0; offset < 9; offset += 3) pages.push(await catalog.runReport(sink, 'requests-per-user-per-day', { ...window, limit: '3', offset: String(offset) }));
    expect(pages.map((p) => [p.rows.length, p.offset, p.truncated])).toEqual([[3, 0, true], [3, 3, true], [2, 6, false]]);
    expect(pages.flatMap((p) => p.rows)).toEqual(exact.rows);
    // A per-user limit (LIMIT n BY user_id) caps each user, not the report: never reported as cut.
    const perUser = await catalog.runReport(sink, 'user-top-endpoints', { ...window, limit: '1' });
    expect([perUser.rows.length, perUser.truncated]).toEqual([4, false]);
  });
});

describe('parameters are validated and bound, never spliced', () => {
  it('an injection attempt in a parameter matches no user and changes nothing', async () => {
    expect(await run('requests-per-user-per-day', { user: "x' OR 1=1 --" })).toEqual([]);
    expect(await run('user-journey', { user: "u1' OR '1'='1" })).toEqual([]);
    expect(norm(await sink.query('SELECT count() AS n FROM access_log'))).toEqual([{ n: 120 }]);
  });

  it('rejects unknown parameters, bad numbers and unknown reports with what to do', () => {
    expect(() => catalog.bind('top-routes', { ...window, usr: 'u1' })).toThrow(/no parameter "usr"; its parameters are service, from, to, limit, offset/);
    expect(() => catalog.bind('top-routes', { ...window, limit: '1; DROP TABLE x' })).toThrow(/limit \(UInt32\) must be a whole number ≥ 0, got "1; DROP TABLE x"/);
    expect(() => catalog.bind('top-routes', { to: WINDOW_TO })).toThrow(/needs --param from=<DateTime64\(3, 'UTC'\)>/);
    expect(() => catalog.get('top-route')).toThrow(QueryCatalogError);
    expect(() => catalog.get('top-route')).toThrow(/did you mean top-routes/);
  });

  it('parses --since durations and windows', () => {
    expect(parseSince('30m')).toBe(1_800_000);
    expect(parseSince('24h')).toBe(86_400_000);
    expect(parseSince('7d')).toBe(604_800_000);
    expect(() => parseSince('7 days')).toThrow(/like 30m, 24h or 7d, got "7 days"/);
    expect(resolveWindow({ since: '1h' }, new Date('2026-03-11T10:00:00Z'))).toEqual({ from: '2026-03-11 09:00:00.000', to: '2026-03-11 10:00:00.000' });
    expect(resolveWindow({ from: '2026-03-10', to: '2026-03-12' })).toEqual(window);
  });

  it('every named query in the catalogue is run by a test: above, in analytics-windows.test.ts or another test file', () => {
    // The reports over activities, alerts, trends and engagement are proved against the generator in
    // analytics-windows.test.ts; reports added for the dashboard are run by their own tests.
    const windowsTest = fs.readFileSync(path.join(__dirname, 'analytics-windows.test.ts'), 'utf8');
    const elsewhere = new Set([...windowsTest.matchAll(/run\('([a-z.-]+)'/g)].map((m) => m[1]));
    const otherTests = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.ts') && !f.startsWith('analytics-')).map((f) => fs.readFileSync(path.join(__dirname, f), 'utf8')).join('\n');
    for (const q of catalog.list()) if (new RegExp(`['"\`/]${q.name.replace(/\./g, '\\.')}['"\`?]`).test(otherTests)) elsewhere.add(q.name);
    // It also compares every rollup report with its .raw twin over every window.
    if (windowsTest.includes('await run(`${name}.raw`')) for (const q of catalog.list()) if (q.source === 'rollup') elsewhere.add(`${q.name}.raw`);
    expect(catalog.list().map((q) => q.name).filter((n) => !covered.has(n) && !elsewhere.has(n))).toEqual([]);
  });
});

function ROUTES_OF(f: typeof fx): Array<{ method: string; route: string; rows: typeof fx.access }> {
  return groupBy(f.access, (r) => `${r.method}|${r.route}`, (g) => ({ method: g[0].method, route: g[0].route, rows: g }));
}
