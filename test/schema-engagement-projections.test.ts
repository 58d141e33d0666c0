/**
 * Migration 020's projections of access_log per day and session and per day and user (chDB): built for the parts
 * written before it and for every insert after, read by engagement.raw for whole UTC days over every service, and the
 * report then gives what a scan of the rows gives (the same SQL with projections off) and the counts made here, for
 * any window and lookback, per service too, and after a lightweight DELETE of a user (erase-user's statement).
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
const HOUR_MS = 3_600_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-engagement-projections-'));
const catalog = QueryCatalog.load();
const SERVICES = ['shop', 'billing', 'search'];
const TODAY_MS = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const START_MS = TODAY_MS - 10 * DAY_MS;
let sink: EmbeddedSink;

interface Req {
  readonly ms: number;
  readonly service: string;
  readonly user: string;
  readonly session: string;
}
const sent: Req[] = [];

/** 20 users; a session is a user's day, and in the first two hours of a day often the day before's (across midnight). */
function requests(seed: number, n: number, fromMs: number, toMs: number): Req[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, () => {
    const ms = fromMs + Math.floor(rand() * (toMs - fromMs));
    const u = Math.floor(rand() * 20);
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
      timestamp: chTime(r.ms), trace_id: `t${token}${i}`, span_id: `${token}-${i}`, service: r.service, environment: 'production',
      method: 'GET', route: '/r', path: '/r', status: 200, duration_ms: 1, user_id: r.user, session_id: r.session, attributes: {},
    })),
    { dedupToken: token },
  );
  if (!result.ok) throw result.error;
  sent.push(...rows);
}

async function engagement(from: number, to: number, service: string, lookback: number, settings = ''): Promise<unknown[]> {
  const q = catalog.get('engagement.raw');
  return sink.query(q.sql + settings, catalog.bind(q.name, { from: chTime(from), to: chTime(to), service, lookback_days: String(lookback) }));
}

/** Sessions and signed-in users per UTC day of [from, to), and users new in [from - lookback, to), counted here. */
function counted(from: number, to: number, lookback: number): Array<{ day: string; sessions: number; users: number; new_users: number }> {
  const dayOf = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  const firstDay = new Map<string, string>();
  for (const r of sent) {
    if (r.user === '' || r.ms < from - lookback * DAY_MS || r.ms >= to) continue;
    const d = dayOf(r.ms);
    if (!firstDay.has(r.user) || d < firstDay.get(r.user)!) firstDay.set(r.user, d);
  }
  const inWindow = sent.filter((r) => r.ms >= from && r.ms < to);
  return [...new Set(inWindow.map((r) => dayOf(r.ms)))].sort().map((day) => {
    const of = inWindow.filter((r) => dayOf(r.ms) === day);
    const users = [...new Set(of.map((r) => r.user).filter((u) => u !== ''))];
    return {
      day,
      sessions: new Set(of.map((r) => r.session).filter((s) => s !== '')).size,
      users: users.length,
      new_users: users.filter((u) => firstDay.get(u) === day).length,
    };
  });
}

beforeAll(async () => {
  const before020 = migrationsBefore(root, 20);
  sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: before020 })).applied.at(-1)).toBe('019_access_day_projections');
  // Before the upgrade: parts the migration's MATERIALIZE PROJECTION has to fill.
  for (let i = 0; i < 3; i++) await insert(requests(10 + i, 400, START_MS, START_MS + 6 * DAY_MS), `before-${i}`);
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 })).applied[0]).toBe('020_access_engagement_projections');
  // After it: the same sessions and users on the same days again, and later days.
  for (let i = 0; i < 3; i++) await insert(requests(20 + i, 400, START_MS + 4 * DAY_MS, TODAY_MS), `after-${i}`);
}, 180_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('access_log engagement projections (migration 020)', () => {
  it('are built for the parts written before the migration and after it', async () => {
    await withoutMerges(sink, 'access_log', async () => {
      const parts = await sink.query<{ n: string | number }>("SELECT count() AS n FROM system.parts WHERE table = 'access_log' AND active");
      for (const name of ['session_day', 'user_day']) {
        const withProjection = await sink.query<{ n: string | number }>(
          "SELECT uniqExact(parent_name) AS n FROM system.projection_parts WHERE table = 'access_log' AND active AND name = {name:String}",
          { name },
        );
        expect(Number(withProjection[0].n), name).toBe(Number(parts[0].n));
      }
    });
  });

  it('are what engagement.raw reads for whole days over every service, and not for one service', async () => {
    const q = catalog.get('engagement.raw');
    const explain = async (service: string) =>
      (await sink.query<{ explain: string }>('EXPLAIN ' + q.sql, catalog.bind(q.name, { from: chTime(START_MS), to: chTime(TODAY_MS), service }))).map((r) => r.explain).join('\n');
    const all = await explain('');
    expect(all).toContain('ReadFromMergeTree (session_day)');
    expect(all).toContain('ReadFromMergeTree (user_day)');
    const one = await explain('shop');
    expect(one).not.toContain('(session_day)');
    expect(one).not.toContain('(user_day)');
  });

  it('give engagement.raw what a scan of the rows gives, over whole days, edges, one day and random windows', async () => {
    const rand = lcg(5);
    const windows: Array<[number, number]> = [
      [START_MS, TODAY_MS],
      [START_MS + 2 * DAY_MS, START_MS + 5 * DAY_MS],
      [START_MS + 2 * DAY_MS + 5 * HOUR_MS, START_MS + 7 * DAY_MS - 3 * HOUR_MS],
      [START_MS + 3 * DAY_MS + HOUR_MS, START_MS + 3 * DAY_MS + 2 * HOUR_MS],
      [START_MS + 4 * DAY_MS + 20 * HOUR_MS, START_MS + 5 * DAY_MS + HOUR_MS],
    ];
    for (let i = 0; i < 4; i++) {
      const a = START_MS + Math.floor(rand() * 10 * DAY_MS);
      const b = START_MS + Math.floor(rand() * 10 * DAY_MS);
      windows.push([Math.min(a, b), Math.max(a, b) + 1]);
    }
    for (const [from, to] of windows) {
      for (const lookback of [0, 1, 3, 30]) {
        for (const service of ['', 'shop']) {
          const label = `${chTime(from)}..${chTime(to)} lookback ${lookback} service '${service}'`;
          expect(await engagement(from, to, service, lookback), label).toEqual(await engagement(from, to, service, lookback, '\nSETTINGS optimize_use_projections = 0'));
        }
      }
      const rows = (await engagement(from, to, '', 2)) as Array<{ day: string; sessions: unknown; users: unknown; new_users: unknown }>;
      expect(rows.map((r) => ({ day: r.day, sessions: Number(r.sessions), users: Number(r.users), new_users: Number(r.new_users) })), `${chTime(from)}..${chTime(to)}`).toEqual(
        counted(from, to, 2),
      );
    }
  });

  it('let a lightweight DELETE erase a user, and engagement.raw then counts without them', async () => {
    const users = async () => ((await engagement(START_MS, TODAY_MS, '', 30)) as Array<{ users: unknown }>).reduce((s, r) => s + Number(r.users), 0);
    const before = await users();
    await sink.command('DELETE FROM access_log WHERE user_id = {id:String}', { id: 'u3' });
    const u3Days = new Set(sent.filter((r) => r.user === 'u3').map((r) => Math.floor(r.ms / DAY_MS))).size;
    expect(u3Days).toBeGreaterThan(0);
    expect(await users()).toBe(before - u3Days);
    sent.splice(0, sent.length, ...sent.filter((r) => r.user !== 'u3'));
    for (const [from, to] of [[START_MS, TODAY_MS], [START_MS + DAY_MS + 7 * HOUR_MS, TODAY_MS - 5 * HOUR_MS]]) {
      expect(await engagement(from, to, '', 30)).toEqual(await engagement(from, to, '', 30, '\nSETTINGS optimize_use_projections = 0'));
      const rows = (await engagement(from, to, '', 30)) as Array<{ day: string; sessions: unknown; users: unknown; new_users: unknown }>;
      expect(rows.map((r) => ({ day: r.day, sessions: Number(r.sessions), users: Number(r.users), new_users: Number(r.new_users) }))).toEqual(counted(from, to, 30));
    }
  });
});
