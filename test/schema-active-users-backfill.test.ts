/**
 * Migration 015 on an install that already has rollups (chDB): active_users_daily is backfilled from the rollups of
 * migrations 005–013, so daily-active-users and trends give the same users per day after the upgrade as before it,
 * days whose raw rows are gone included; rows arriving after it count once, whichever of the views saw them first.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCatalog } from '../exporter/analytics/query-catalog';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { migrationsBefore } from './helpers/migrations-before';

const DAY_MS = 86_400_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-active-users-'));
const catalog = QueryCatalog.load();
let sink: EmbeddedSink;

const dayText = (daysAgo: number) => new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - daysAgo * DAY_MS).toISOString().slice(0, 10);

/** Users u0..u{n-1} on the day `daysAgo` back: requests from all, auth events from the even ones, calls from u0. */
async function insertDay(daysAgo: number, users: number): Promise<void> {
  const params = { day: dayText(daysAgo), n: users };
  const at = "toDateTime64({day:Date}, 3, 'UTC') + toIntervalSecond(number)";
  await sink.command(`INSERT INTO access_log (timestamp, trace_id, span_id, service, method, route, status, duration_ms, user_id) SELECT ${at}, 't', concat('a', toString(number), {day:Date}), 'shop', 'GET', '/r', 200, 1, concat('u', toString(number)) FROM numbers({n:UInt32})`, params);
  await sink.command(`INSERT INTO auth_events (timestamp, trace_id, span_id, service, event, success, user_id) SELECT ${at}, 't', concat('b', toString(number), {day:Date}), 'shop', 'login', true, concat('u', toString(number)) FROM numbers({n:UInt32}) WHERE number % 2 = 0`, params);
  await sink.command(`INSERT INTO external_calls (timestamp, trace_id, span_id, service, provider, status, user_id) SELECT ${at}, 't', concat('c', toString(number), {day:Date}), 'shop', 'openai', 200, concat('x', toString(number)) FROM numbers(2)`, params);
}

async function usersPerDay(): Promise<Array<{ day: string; active_users: number }>> {
  const rows = await catalog.run<{ day: string; active_users: string | number }>(sink, 'daily-active-users', { from: `${dayText(10)}T00:00:00Z`, to: `${dayText(0)}T00:00:00Z` });
  return rows.map((r) => ({ day: r.day, active_users: Number(r.active_users) }));
}

beforeAll(async () => {
  const before015 = migrationsBefore(root, 15);
  sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: before015 })).applied.at(-1)).toBe('014_engagement_daily');
  await insertDay(5, 7);
  await insertDay(3, 4);
  // The raw rows of 5 days ago are gone (as past raw retention): only the rollups still know that day's users.
  for (const table of ['access_log', 'auth_events', 'external_calls']) await sink.command(`DELETE FROM ${table} WHERE toDate(timestamp) = {day:Date}`, { day: dayText(5) });
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 })).applied[0]).toBe('015_active_users_daily');
}, 120_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('migration 015 on an install with rollups', () => {
  it('backfills the users of every rolled-up day, including one whose raw rows are gone', async () => {
    // 7 users and 2 callers (x0, x1) 5 days ago, 4 + 2 three days ago.
    expect(await usersPerDay()).toEqual([{ day: dayText(5), active_users: 9 }, { day: dayText(3), active_users: 6 }]);
  });

  it('counts rows after the upgrade once, beside the backfilled states of the same day', async () => {
    await insertDay(3, 5); // u0..u3 again (already counted) and u4 new; x0, x1 again
    expect(await usersPerDay()).toEqual([{ day: dayText(5), active_users: 9 }, { day: dayText(3), active_users: 7 }]);
    const [trend] = await catalog.run<{ users: string | number }>(sink, 'trends', { from: `${dayText(3)}T00:00:00Z`, to: `${dayText(2)}T00:00:00Z` });
    expect(Number(trend.users)).toBe(7);
    const raw = await catalog.run(sink, 'daily-active-users.raw', { from: `${dayText(4)}T00:00:00Z`, to: `${dayText(0)}T00:00:00Z` });
    expect(raw.map((r) => Number(r.active_users))).toEqual([7]);
  });
});
