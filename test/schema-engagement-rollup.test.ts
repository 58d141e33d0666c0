/**
 * The engagement rollups of migrations 017 and 023 (chDB): backfilled from migration 014's on an install that has them
 * (017 from 014, then 023's user rollup from 017's), filled by their views afterwards, and read by `engagement` with the same figures as `engagement.raw` and an independent
 * count, for every service, all services together (sessions and users seen in several services and across midnight)
 * and any window and lookback, including a day whose raw rows are gone.
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

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-engagement-'));
const catalog = QueryCatalog.load();
const SERVICES = ['shop', 'billing', 'search'];
const TODAY_MS = Math.floor(Date.now() / DAY_MS) * DAY_MS;
/** The first day of the rows: 12 days back, inside the 90-day raw retention. */
const START_MS = TODAY_MS - 12 * DAY_MS;
let sink: EmbeddedSink;

interface Req {
  readonly ms: number;
  readonly service: string;
  readonly user: string;
  readonly session: string;
}
const sent: Req[] = [];

/** `n` requests spread over [fromMs, toMs): 15 users, sessions per user and day that cross midnight now and then. */
function requests(seed: number, n: number, fromMs: number, toMs: number): Req[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, () => {
    const ms = fromMs + Math.floor(rand() * (toMs - fromMs));
    const u = Math.floor(rand() * 15);
    // A session id of the day before in the first two hours: one session across midnight.
    const dayOf = Math.floor((ms - (rand() < 0.3 ? 2 * HOUR_MS : 0)) / DAY_MS);
    return {
      ms,
      service: SERVICES[Math.floor(rand() * SERVICES.length)],
      user: rand() < 0.2 ? '' : `u${u}`,
      session: rand() < 0.1 ? '' : `s${u}-${dayOf}`,
    };
  });
}

async function insert(rows: Req[], token: string): Promise<void> {
  const result = await sink.insert(
    'access_log',
    rows.map((r, i) => ({
      timestamp: chTime(r.ms), trace_id: `t${token}${i}`, span_id: `${token}-${i}`, service: r.service, environment: i % 2 === 0 ? 'production' : 'staging',
      method: 'GET', route: '/r', path: '/r', status: 200, duration_ms: 1, user_id: r.user, session_id: r.session, attributes: {},
    })),
    { dedupToken: token },
  );
  if (!result.ok) throw result.error;
  sent.push(...rows);
}

/** UInt64 comes back as text in JSON; compare numbers as numbers. */
function norm(rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v])));
}

async function engagement(name: string, from: number, to: number, service: string, lookback: number): Promise<Array<Record<string, unknown>>> {
  return norm(await catalog.run(sink, name, { from: chTime(from), to: chTime(to), service, lookback_days: String(lookback) }));
}

/** ClickHouse's round() of a Float64: half to even. */
function round3(x: number): number {
  const y = x * 1000;
  return (Math.abs(y - Math.trunc(y)) === 0.5 ? 2 * Math.round(y / 2) : Math.round(y)) / 1000;
}

/** The definition of schemas/queries/README.md, computed here from the rows sent. */
function truth(rows: readonly Req[], from: number, to: number, service: string, lookback: number): Array<Record<string, unknown>> {
  const mine = rows.filter((r) => service === '' || r.service === service);
  const inWindow = mine.filter((r) => r.ms >= from && r.ms < to);
  const dayOf = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  const firstDay = new Map<string, string>();
  for (const r of mine) {
    if (r.user === '' || r.ms < from - lookback * DAY_MS || r.ms >= to) continue;
    const d = dayOf(r.ms);
    if (!firstDay.has(r.user) || d < firstDay.get(r.user)!) firstDay.set(r.user, d);
  }
  const days = [...new Set(inWindow.map((r) => dayOf(r.ms)))].sort();
  return days.map((day) => {
    const of = inWindow.filter((r) => dayOf(r.ms) === day);
    const sessions = new Map<string, number[]>();
    for (const r of of) if (r.session !== '') sessions.set(r.session, [...(sessions.get(r.session) ?? []), r.ms]);
    const lengths = [...sessions.values()].map((t) => Math.max(...t) - Math.min(...t));
    const requests = [...sessions.values()].reduce((s, t) => s + t.length, 0);
    const users = [...new Set(of.map((r) => r.user).filter((u) => u !== ''))];
    const newUsers = users.filter((u) => firstDay.get(u) === day).length;
        return {
      day,
      sessions: sessions.size,
      requests_per_session: sessions.size === 0 ? 0 : round3(requests / sessions.size),
      avg_session_minutes: sessions.size === 0 ? 0 : round3(lengths.reduce((s, x) => s + x, 0) / lengths.length / 60000),
      users: users.length,
      new_users: newUsers,
      returning_users: users.length - newUsers,
    };
  }).filter((r) => r.sessions > 0 || r.users > 0);
}

beforeAll(async () => {
  const before017 = migrationsBefore(root, 17);
  sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: before017 })).applied.at(-1)).toBe('016_external_cost_by_provider');
  // Before the upgrade: three inserts (three parts of 014's rollups) over the first eight days.
  for (let i = 0; i < 3; i++) await insert(requests(10 + i, 400, START_MS, START_MS + 8 * DAY_MS), `before-${i}`);
  // The upgrade applies 017 first, then whatever later migrations there are.
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 })).applied[0]).toBe('017_engagement_rollup');
  // After it: the same sessions and users on the same days again, and later days, through the views.
  for (let i = 0; i < 3; i++) await insert(requests(20 + i, 400, START_MS + 5 * DAY_MS, TODAY_MS), `after-${i}`);
}, 120_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('engagement over migration 017 rollups', () => {
  it('rolls every row up twice, under its service and under all services', async () => {
    const rows = norm(await sink.query('SELECT scope, sum(requests) AS n FROM engagement_session_daily GROUP BY scope ORDER BY scope'));
    const withSession = sent.filter((r) => r.session !== '');
    expect(rows).toEqual([{ scope: '', n: withSession.length }, ...SERVICES.slice().sort().map((s) => ({ scope: s, n: withSession.filter((r) => r.service === s).length }))]);
  });

  it('equals engagement.raw and the count made here, for every service and all, over random windows and lookbacks', async () => {
    const rand = lcg(7);
    const windows: Array<[number, number]> = [
      [START_MS, TODAY_MS],
      [START_MS + 2 * DAY_MS, START_MS + 9 * DAY_MS],
      [START_MS + 3 * DAY_MS + 5 * HOUR_MS + 17, START_MS + 3 * DAY_MS + 11 * HOUR_MS],
      [START_MS + 6 * DAY_MS + HOUR_MS, START_MS + 6 * DAY_MS + 2 * HOUR_MS],
    ];
    for (let i = 0; i < 6; i++) {
      const a = START_MS - DAY_MS + Math.floor(rand() * 13 * DAY_MS);
      windows.push([a, a + 1 + Math.floor(rand() * 6 * DAY_MS)]);
    }
    for (const [from, to] of windows) {
      for (const service of ['', 'shop', 'billing', 'nowhere']) {
        for (const lookback of [0, 2, 30]) {
          const label = `${chTime(from)} .. ${chTime(to)} service '${service}' lookback ${lookback}`;
          const rollup = await engagement('engagement', from, to, service, lookback);
          expect(rollup, label).toEqual(await engagement('engagement.raw', from, to, service, lookback));
          expect(rollup, label).toEqual(truth(sent, from, to, service, lookback));
        }
      }
    }
  });

  it('keeps the figures of a day whose raw rows are gone, from the backfilled rollups', async () => {
    const day = START_MS + DAY_MS;
    const before = await engagement('engagement', START_MS, START_MS + 4 * DAY_MS, '', 1);
    expect(before.length).toBe(4);
    await sink.command('DELETE FROM access_log WHERE toDate(timestamp) = {day:Date}', { day: chTime(day).slice(0, 10) });
    expect(await engagement('engagement', START_MS, START_MS + 4 * DAY_MS, '', 1)).toEqual(before);
    expect((await engagement('engagement.raw', START_MS, START_MS + 4 * DAY_MS, '', 1)).map((r) => r.day)).not.toContain(chTime(day).slice(0, 10));
  });
});
