/**
 * Migration 025 on an install that already holds custom activities (chDB): active_users_daily is backfilled with
 * their users, so daily-active-users and trends (which read activities only on a window's partial edge days since)
 * count them for every whole day as before the upgrade; the view counts later ones; audit rows never count.
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
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-active-users-activities-'));
const catalog = QueryCatalog.load();
let sink: EmbeddedSink;

const dayText = (daysAgo: number) => new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - daysAgo * DAY_MS).toISOString().slice(0, 10);

/** Requests from u0..u{requests-1} and activities from a0..a{activities-1} (service shop), plus one audit row. */
async function insertDay(daysAgo: number, requests: number, activities: number, tag: string): Promise<void> {
  const params = { day: dayText(daysAgo), r: requests, a: activities, tag };
  const at = "toDateTime64({day:Date}, 3, 'UTC') + toIntervalSecond(number)";
  await sink.command(`INSERT INTO access_log (timestamp, trace_id, span_id, service, method, route, status, duration_ms, user_id) SELECT ${at}, 't', concat({tag:String}, 'r', toString(number)), 'shop', 'GET', '/r', 200, 1, concat('u', toString(number)) FROM numbers({r:UInt32})`, params);
  await sink.command(`INSERT INTO activities (timestamp, trace_id, span_id, service, action, user_id) SELECT ${at}, 't', concat({tag:String}, 'a', toString(number)), 'shop', 'report.export', concat('a', toString(number)) FROM numbers({a:UInt32})`, params);
  // The dashboard's own audit row: an admin who is no user of the app.
  await sink.command(`INSERT INTO activities (timestamp, trace_id, span_id, service, action, user_id) VALUES (toDateTime64({day:Date}, 3, 'UTC'), 't', concat({tag:String}, 'audit'), 'otel-activity', 'admin.retention', 'admin')`, params);
}

async function usersPerDay(report: string, service = ''): Promise<Array<[string, number]>> {
  const rows = await catalog.run<{ day: string; active_users: string | number }>(sink, report, { service, from: `${dayText(10)}T00:00:00Z`, to: `${dayText(0)}T00:00:00Z` });
  return rows.map((r) => [r.day, Number(r.active_users)]);
}

beforeAll(async () => {
  const before025 = migrationsBefore(root, 25);
  sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: before025 })).applied.at(-1)).toBe('024_active_users_all_services');
  await insertDay(4, 5, 3, 'before');
  expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 })).applied).toEqual(['025_active_users_activities']);
}, 120_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('migration 025 on an install with custom activities', () => {
  it('backfills the users of activities recorded before it, for the service and for all services, audit rows left out', async () => {
    expect(await usersPerDay('daily-active-users')).toEqual([[dayText(4), 8]]);
    expect(await usersPerDay('daily-active-users', 'shop')).toEqual([[dayText(4), 8]]);
    expect(await usersPerDay('daily-active-users.raw')).toEqual([[dayText(4), 8]]);
    expect(norm(await sink.query("SELECT uniqMerge(users) AS n FROM active_users_daily WHERE service = ''"))).toEqual([{ n: 8 }]);
  });

  it('counts activities after it through the view, once beside the backfilled state', async () => {
    await insertDay(4, 2, 5, 'after'); // u0, u1 and a0..a2 again, a3 and a4 new
    await insertDay(2, 1, 1, 'later');
    expect(await usersPerDay('daily-active-users')).toEqual([[dayText(4), 10], [dayText(2), 2]]);
    expect(await usersPerDay('daily-active-users.raw')).toEqual([[dayText(4), 10], [dayText(2), 2]]);
    const trends = await catalog.run<{ users: string | number }>(sink, 'trends', { from: `${dayText(4)}T00:00:00Z`, to: `${dayText(0)}T00:00:00Z` });
    expect(trends.map((t) => Number(t.users))).toEqual([10, 2]);
  });
});

function norm(rows: Array<Record<string, unknown>>): Array<Record<string, number>> {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));
}
