/**
 * `retention --days N` moves the rollups' raw-retention filter with the raw TTL (chDB): after a change, a row past
 * the new raw retention is in no rollup, a row inside it is in every rollup its table feeds, and each rollup report
 * equals its .raw twin; the views are re-rendered from their latest definition in the migrations.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueryCatalog } from '../exporter/analytics/query-catalog';
import { loadConfig } from '../exporter/config';
import { runOperation } from '../exporter/service/admin-operations';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { loadMigrations } from '../schemas/migration-files';
import { repairSchema } from '../schemas/repair-schema';
import { retentionViews } from '../schemas/view-retention';

const DAY_MS = 86_400_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-rollup-retention-'));
const config = loadConfig({ env: {}, overrides: { exporter: { dataDir: path.join(root, 'data') } } });
const catalog = QueryCatalog.load();
let sink: EmbeddedSink;

// In the order of their latest definitions: 012 re-filters the first four, 013 re-defines external_cost_daily_mv, 017
// and 023 add one each (014's two were dropped by 021), 024 re-defines the three of 015.
const VIEWS = [
  'access_route_daily_mv', 'auth_daily_mv', 'access_client_daily_mv', 'external_cost_daily_mv',
  'engagement_session_daily_mv', 'engagement_user_days_mv',
  'active_users_daily_access_mv', 'active_users_daily_auth_mv', 'active_users_daily_external_mv', 'active_users_daily_activities_mv',
];
const ROLLUP_COUNTS: ReadonlyArray<readonly [table: string, count: string]> = [
  ['access_route_daily', 'sum(requests)'],
  ['access_client_daily', 'sum(requests)'],
  ['auth_daily', 'sum(events)'],
  ['external_cost_daily', 'sum(calls)'],
  // One user per insertRows() call, seen in all three tables.
  ['active_users_daily', 'uniqMerge(users)'],
  // Every request twice (its service and all services): the all-services scope.
  ['engagement_session_daily', "sumIf(requests, scope = '')"],
  ['engagement_user_days', "uniqExactIf(user_id, scope = '')"],
];

/** One access, auth and external row `daysAgo` back (at noon UTC, so the day is whole), ids tagged with `tag`. */
async function insertRows(tag: string, daysAgo: number): Promise<void> {
  const at = new Date(Math.floor((Date.now() - daysAgo * DAY_MS) / DAY_MS) * DAY_MS + DAY_MS / 2).toISOString().replace('T', ' ').replace('Z', '');
  const params = { at, span: `${tag}-span`, user: `${tag}-user` };
  await sink.command(
    "INSERT INTO access_log (timestamp, trace_id, span_id, service, method, route, status, duration_ms, user_id, session_id) VALUES ({at:DateTime64(3, 'UTC')}, 't', {span:String}, 'shop', 'GET', '/r', 200, 5, {user:String}, {user:String})",
    params,
  );
  await sink.command("INSERT INTO auth_events (timestamp, trace_id, span_id, service, event, success, user_id) VALUES ({at:DateTime64(3, 'UTC')}, 't', {span:String}, 'shop', 'login', true, {user:String})", params);
  await sink.command("INSERT INTO external_calls (timestamp, trace_id, span_id, service, provider, status, user_id) VALUES ({at:DateTime64(3, 'UTC')}, 't', {span:String}, 'shop', 'openai', 200, {user:String})", params);
}

/** Rows of every rollup, per table. */
async function rollupCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [table, count] of ROLLUP_COUNTS) {
    const [{ n }] = await sink.query<{ n: string | number }>(`SELECT ${count} AS n FROM ${table}`);
    counts[table] = Number(n);
  }
  return counts;
}

async function rawCount(): Promise<number> {
  const [{ n }] = await sink.query<{ n: string | number }>('SELECT (SELECT count() FROM access_log) + (SELECT count() FROM auth_events) + (SELECT count() FROM external_calls) AS n');
  return Number(n);
}

const every = (n: number) => Object.fromEntries(ROLLUP_COUNTS.map(([t]) => [t, n]));

beforeAll(async () => {
  sink = new EmbeddedSink({ dataDir: config.exporter.dataDir });
  await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 });
}, 60_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('retention and the rollup views', () => {
  it('finds the eleven views whose filter is the raw retention, each at its latest definition', () => {
    const views = retentionViews({ retentionDays: 45, rollupRetentionDays: 730 });
    expect(views.map((v) => v.view).sort()).toEqual([...VIEWS].sort());
    for (const { view, statement } of views) {
      expect(statement.startsWith(`ALTER TABLE ${view} MODIFY QUERY\nSELECT`), view).toBe(true);
      expect(statement, view).toContain('toDateTime(timestamp) + INTERVAL 45 DAY > now()');
      expect(statement, view).not.toContain('{{');
    }
  });

  it('a shorter retention: rows past it reach no rollup, rows inside it reach every one', async () => {
    const result = await runOperation('retention', sink, { days: 30 }, config);
    expect(result.lines).toEqual([
      'access_log: rows kept 30 days', 'auth_events: rows kept 30 days', 'external_calls: rows kept 30 days', 'activities: rows kept 30 days',
      ...VIEWS.map((v) => `${v}: rolls up the rows kept 30 days`),
    ]);
    await insertRows('past', 60);
    await insertRows('inside', 10);
    expect(await rollupCounts()).toEqual(every(1));
    expect(await rawCount()).toBe(3);
  });

  it('a longer retention: rows the raw tables now keep are rolled up too', async () => {
    await runOperation('retention', sink, { days: 120 }, config);
    await insertRows('older', 100);
    expect(await rollupCounts()).toEqual(every(2));
    expect(await rawCount()).toBe(6);
    for (const { view } of retentionViews({ retentionDays: 120, rollupRetentionDays: 730 })) {
      const [{ query }] = await sink.query<{ query: string }>('SELECT as_select AS query FROM system.tables WHERE database = currentDatabase() AND name = {view:String}', { view });
      expect(query, view).toMatch(/toIntervalDay\(120\)/);
    }
  });

  it('every rollup report equals its .raw twin over the 200 days after both changes', async () => {
    const to = new Date(Date.now() + 1000).toISOString();
    const from = new Date(Date.now() - 200 * DAY_MS).toISOString();
    for (const q of catalog.list().filter((q) => q.source === 'rollup')) {
      const declared = new Set(q.params.map((p) => p.name));
      const values = { ...(declared.has('from') ? { from } : {}), ...(declared.has('to') ? { to } : {}) };
      expect(await catalog.run(sink, q.name, values), q.name).toEqual(await catalog.run(sink, `${q.name}.raw`, values));
    }
  });

  it('a later migration and the schema repair render the raw retention in force, not the configured one', async () => {
    // The retention is 120 days since the test above; both are given the configured 90.
    const dir = path.join(root, 'migrations');
    fs.mkdirSync(dir);
    for (const m of loadMigrations()) fs.writeFileSync(path.join(dir, `${m.name}.sql`), m.sql);
    fs.writeFileSync(
      path.join(dir, '900_probe_daily.sql'),
      'CREATE TABLE IF NOT EXISTS probe_daily (day Date, n SimpleAggregateFunction(sum, UInt64)) ENGINE = AggregatingMergeTree ORDER BY day;\n' +
        'CREATE MATERIALIZED VIEW IF NOT EXISTS probe_daily_mv TO probe_daily AS SELECT toDate(timestamp) AS day, count() AS n FROM access_log\n' +
        'WHERE toDateTime(timestamp) + INTERVAL {{retention_days}} DAY > now() GROUP BY day;\n',
    );
    expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: dir })).applied).toEqual(['900_probe_daily']);
    await sink.command('DROP VIEW engagement_user_days_mv');
    expect((await repairSchema(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: dir })).missing).toEqual(['engagement_user_days_mv']);
    for (const view of [...VIEWS, 'probe_daily_mv']) {
      const [{ query }] = await sink.query<{ query: string }>('SELECT as_select AS query FROM system.tables WHERE database = currentDatabase() AND name = {view:String}', { view });
      expect(query, view).toMatch(/toIntervalDay\(120\)/);
    }
  });
});
