/**
 * The built `otel-activity` CLI as a child process (node exporter/dist/exporter/cli/main.js) against a temp data directory:
 * report, reports, query, export (ndjson/csv/parquet), status, erase-user, retention, cleanup, exit codes, and the
 * same report through a running service that owns the directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newAlert, writeAlerts } from '../exporter/analytics/alert-store';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';
import { buildFixture, insertFixture } from './helpers/analytics-fixture';
import { CLI_MAIN } from './helpers/built-paths';
import { runChild } from './helpers/run-child';

const repo = path.resolve(__dirname, '..');
const main = CLI_MAIN;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-cli-'));
const dataDir = path.join(root, 'data');
const fx = buildFixture();
const WINDOW = ['--from', '2026-03-10', '--to', '2026-03-12'];
const alert = newAlert({ service: 'shop', rule: 'failed-login-burst-ip', severity: 'critical', subject: '198.51.100.7', value: 12, threshold: 10, details: '{}' }, new Date());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const result = await runChild(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? '', HOME: root, OTEL_ACTIVITY_DATA_DIR: dataDir, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function json(run: Run): Array<Record<string, unknown>> {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  // `report` prints { name, from, to, rows, limit, truncated }; `query` and `reports` print the rows.
  const parsed = JSON.parse(run.stdout) as Array<Record<string, unknown>> | { rows: Array<Record<string, unknown>> };
  return Array.isArray(parsed) ? parsed : parsed.rows;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

beforeAll(async () => {
  // Build once when the compiled CLI is older than its sources (npm test builds first anyway).
  const stale = !fs.existsSync(main) || fs.statSync(main).mtimeMs < Math.max(newestMtime(path.join(repo, 'exporter/cli')), newestMtime(path.join(repo, 'exporter/analytics')));
  if (stale) await runChild('npx', ['tsc', '-b', 'tsconfig.json'], { cwd: repo, timeoutMs: 300_000 });
  // Rows go in through this process's own chDB session, closed before any CLI child opens the directory.
  const sink = new EmbeddedSink({ dataDir });
  await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
  await insertFixture(sink, fx);
  await writeAlerts(sink, [alert]);
  await sink.close();
}, 180_000);

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('otel-activity CLI', async () => {
  it('report prints the named query\'s numbers as JSON, table and CSV', async () => {
    const rows = json((await cli(['report', 'top-routes.raw', ...WINDOW, '--format', 'json'])));
    expect(rows.map((r) => [r.method, r.route, Number(r.requests), Number(r.unique_users), Number(r.errors)])).toEqual([
      ['GET', '/admin/users', 30, 4, 2],
      ['GET', '/api/products', 30, 4, 2],
      ['GET', '/api/products/:id', 30, 4, 2],
      ['POST', '/api/orders', 30, 4, 2],
    ]);
    const table = (await cli(['report', 'cost-by-provider', ...WINDOW]));
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ openai\s+│ 3\s+│ 3000\s+│ 700\s+│ 0\.01027\s+│/);
    const csv = (await cli(['report', 'failed-logins-by-user', ...WINDOW, '--param', 'min_failures=2', '--format', 'csv']));
    expect(csv.stdout.split('\n').slice(0, 3).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['user_id,failures,distinct_ips', 'u4,4,1', 'u3,2,1']);
  });

  it('an injection attempt in --param matches nothing and breaks nothing', async () => {
    expect(json((await cli(['report', 'requests-per-user-per-day', ...WINDOW, '--param', "user=x' OR 1=1 --", '--format', 'json'])))).toEqual([]);
    expect(json((await cli(['query', 'SELECT count() AS n FROM access_log', '--format', 'json'])))).toEqual([{ n: 120 }]);
  });

  it('reports lists every named query with its parameters', async () => {
    const rows = json((await cli(['reports', '--format', 'json'])));
    const names = rows.map((r) => r.name);
    expect(names).toContain('top-routes');
    expect(names).toContain('failed-logins-by-ip');
    expect(rows.find((r) => r.name === 'active-sessions')?.params).toBe('service String = "", environment String = "", to DateTime64(3, \'UTC\'), minutes UInt32 = "15", limit UInt32 = "100", offset UInt32 = "0"');
  });

  it('usage errors exit 2 and say what to do; runtime errors exit 1', async () => {
    const unknown = (await cli(['report', 'top-route', '--since', '1d']));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no report named "top-route"; did you mean top-routes');
    const since = (await cli(['report', 'top-routes', '--since', '7days']));
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('--since must be a number and a unit');
    const param = (await cli(['report', 'top-routes', '--param', 'limit=ten']));
    expect(param.code).toBe(2);
    expect(param.stderr).toContain('parameter limit (UInt32) must be a whole number ≥ 0, got "ten"');
    expect((await cli(['export', '--table', 'access_log'])).code).toBe(2);
    const bad = (await cli(['query', 'SELECT nope FROM access_log']));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^otel-activity: .*nope/);
    expect((await cli(['alerts', '--ack', '1 OR 1'])).code).toBe(2);
  });

  it('alerts lists open alerts, acknowledges one by id, and resolves it when its condition has cleared', async () => {
    const listed = (await cli(['alerts', '--no-evaluate', '--format', 'json']));
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as Array<Record<string, unknown>>).map((a) => [a.id, a.rule, a.subject, a.status])).toEqual([[alert.id, 'failed-login-burst-ip', '198.51.100.7', 'open']]);
    const acked = (await cli(['alerts', '--ack', alert.id]));
    expect(acked.code).toBe(0);
    expect(acked.stdout).toBe(`alert ${alert.id} (failed-login-burst-ip 198.51.100.7) is acknowledged\n`);
    const after = JSON.parse((await cli(['alerts', '--no-evaluate', '--format', 'json'])).stdout) as Array<Record<string, unknown>>;
    expect(after.map((a) => [a.status, a.acknowledged_by])).toEqual([['acknowledged', 'cli:' + os.userInfo().username]]);
    const missing = (await cli(['alerts', '--ack', '00000000-0000-4000-8000-000000000000']));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no alert with id 00000000-0000-4000-8000-000000000000; run "otel-activity alerts" to list them');
    // Evaluated now, the March burst is long over: the alert is resolved and nothing new fires.
    const evaluated = (await cli(['alerts', '--format', 'json']));
    expect(evaluated.stderr).toBe('rules run: 0 new, 1 resolved\n');
    expect(JSON.parse(evaluated.stdout)).toEqual([]);
  });

  it('export writes NDJSON, CSV and Parquet files of the window', async () => {
    const ndjson = path.join(root, 'access.ndjson');
    const run = (await cli(['export', '--table', 'access_log', ...WINDOW, '--format', 'ndjson', '--out', ndjson]));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(`exported 120 rows of access_log to ${ndjson}\n`);
    const lines = fs.readFileSync(ndjson, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { span_id: string; user_agent: string });
    expect(lines.map((l) => l.span_id)).toEqual(fx.access.map((r) => r.span_id));
    // Paged with progress on stderr: the pages join up to the same rows in the same order.
    const paged = path.join(root, 'access-paged.ndjson');
    const pagedRun = (await cli(['export', '--table', 'access_log', ...WINDOW, '--out', paged, '--page-rows', '50']));
    expect(pagedRun.stderr).toBe(`\r50/120 rows (41%)\r100/120 rows (83%)\r120/120 rows (100%)\nexported 120 rows of access_log to ${paged}\n`);
    expect(fs.readFileSync(paged, 'utf8')).toBe(fs.readFileSync(ndjson, 'utf8'));
    const csv = path.join(root, 'auth.csv');
    expect((await cli(['export', '--table', 'auth_events', ...WINDOW, '--format', 'csv', '--out', csv])).code).toBe(0);
    const csvLines = fs.readFileSync(csv, 'utf8').trim().split('\n');
    expect(csvLines).toHaveLength(fx.auth.length + 1);
    expect(csvLines[0].startsWith('timestamp,trace_id,span_id,service')).toBe(true);
    const parquet = path.join(root, 'calls.parquet');
    expect((await cli(['export', '--table', 'external_calls', ...WINDOW, '--format', 'parquet', '--out', parquet])).code).toBe(0);
    expect(fs.readFileSync(parquet).subarray(0, 4).toString()).toBe('PAR1');
    const back = json((await cli(['query', "SELECT count() AS n, toString(sum(cost_usd)) AS cost FROM file({f:String}, 'Parquet')", '--param', `f=${parquet}`, '--format', 'json'])));
    expect(back).toEqual([{ n: 5, cost: '0.01267' }]);
  });

  it('status shows rows per table, data size, newest row and the spool backlog', async () => {
    fs.mkdirSync(path.join(root, 'spool'), { recursive: true });
    fs.writeFileSync(path.join(root, 'spool', '000001.ndjson'), 'x'.repeat(1234));
    // Not backlog: the run marker, the ids a clean stop saved, a batch half written.
    for (const other of ['.running', '.recent-span-ids', '000002.ndjson.tmp']) fs.writeFileSync(path.join(root, 'spool', other), 'y'.repeat(99));
    const status = JSON.parse((await cli(['status', '--format', 'json'])).stdout) as {
      tables: Array<{ table: string; rows: number; bytes: number; newest_row: string }>;
      spool: { files: number; bytes: number };
    };
    const access = status.tables.find((t) => t.table === 'access_log')!;
    expect(access.rows).toBe(120);
    expect(access.bytes).toBeGreaterThan(0);
    expect(access.newest_row).toBe(fx.access.map((r) => r.timestamp).sort().at(-1));
    expect(status.tables.find((t) => t.table === 'auth_events')!.rows).toBe(fx.auth.length);
    expect(status.spool).toMatchObject({ files: 1, bytes: 1234 });
  });

  it('erase-user deletes the user\'s rows from raw tables and the per-user cost rollup, and nobody else\'s', async () => {
    const run = (await cli(['erase-user', 'u1']));
    expect(run.code).toBe(0);
    const u1Access = fx.access.filter((r) => r.user_id === 'u1').length;
    const u1Auth = fx.auth.filter((r) => r.user_id === 'u1').length;
    const u1Calls = fx.external.filter((r) => r.user_id === 'u1').length;
    expect(run.stdout).toContain(`access_log: deleted ${u1Access} rows`);
    expect(run.stdout).toContain(`auth_events: deleted ${u1Auth} rows`);
    expect(run.stdout).toContain(`external_calls: deleted ${u1Calls} rows`);
    const left = json((await cli(['query', `SELECT
        (SELECT count() FROM access_log WHERE user_id = 'u1') + (SELECT count() FROM auth_events WHERE user_id = 'u1')
        + (SELECT count() FROM external_calls WHERE user_id = 'u1') + (SELECT count() FROM external_cost_daily WHERE user_id = 'u1') AS u1,
        (SELECT count() FROM access_log) AS access`, '--format', 'json'])));
    expect(left).toEqual([{ u1: 0, access: 120 - u1Access }]);
  });

  it('cleanup deletes rows older than the retention now', async () => {
    // The fixture is from March 2026: a 3650-day retention keeps it, a 1-day retention removes it.
    expect((await cli(['cleanup', '--days', '3650'])).stdout).toContain('access_log: deleted 0 rows older than 3650 days');
    const cleaned = (await cli(['cleanup', '--days', '1', '--rollup-days', '3650']));
    expect(cleaned.code).toBe(0);
    expect(cleaned.stdout).toContain(`auth_events: deleted ${fx.auth.filter((r) => r.user_id !== 'u1').length} rows older than 1 days`);
    expect(cleaned.stdout).toContain('access_route_daily: deleted 0 rows older than 3650 days');
    expect(json((await cli(['query', 'SELECT (SELECT count() FROM access_log) + (SELECT count() FROM auth_events) AS n', '--format', 'json'])))).toEqual([{ n: 0 }]);
  });

  it('retention changes the TTL of raw tables and rollups in place', async () => {
    expect((await cli(['retention', '--days', '30', '--rollup-days', '400'])).code).toBe(0);
    const ddl = json((await cli(['query', "SELECT name, engine_full FROM system.tables WHERE name IN ('access_log', 'auth_daily') ORDER BY name", '--format', 'json'])));
    expect(String(ddl[0].engine_full)).toMatch(/TTL toDateTime\(timestamp\) \+ toIntervalDay\(_CAST\(30, 'UInt32'\)\)/);
    expect(String(ddl[1].engine_full)).toMatch(/TTL day \+ toIntervalDay\(_CAST\(400, 'UInt32'\)\)/);
    const zero = (await cli(['retention', '--days', '0']));
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('--days must be a whole number of days from 1 to 36500, got "0"');
  });
});

describe('while a service owns the data directory', async () => {
  let service: ChildProcess | undefined;

  afterAll(async () => {
    if (service && service.exitCode === null) {
      service.kill('SIGTERM');
      await new Promise((resolve) => service!.once('exit', resolve));
    }
  });

  it('the CLI goes through the service\'s query endpoint with the admin token', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: root, OTEL_ACTIVITY_DATA_DIR: dataDir, OTEL_ACTIVITY_ADMIN_TOKEN: 'cli-test-admin-token', OTEL_ACTIVITY_ALERT_INTERVAL_MS: '0' };
    service = spawn(process.execPath, [main, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      service!.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('listening on')) resolve();
      });
      service!.once('exit', (code) => reject(new Error(`service exited ${code}: ${out}`)));
    });
    expect(fs.existsSync(path.join(root, 'service.json'))).toBe(true);
    const rows = json((await cli(['query', 'SELECT count() AS n, currentDatabase() AS db FROM access_log', '--format', 'json'], env)));
    expect(rows).toEqual([{ n: 0, db: 'default' }]);
    // The service mounts the dashboard: the page is public, its API needs the same admin token.
    const { url } = JSON.parse(fs.readFileSync(path.join(root, 'service.json'), 'utf8')) as { url: string };
    expect((await fetch(`${url}/dashboard`)).headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await fetch(`${url}/api/reports/overview`)).status).toBe(401);
    const overview = await fetch(`${url}/api/reports/overview?since=1h`, { headers: { authorization: 'Bearer cli-test-admin-token' } });
    expect(((await overview.json()) as { rows: unknown[] }).rows).toEqual([{ requests: 0, errors: 0, users: 0, sessions: 0, p95_ms: null, failed_logins: 0, external_calls: 0, cost_usd: 0 }]);
    const status = (await cli(['status'], env));
    expect(status.stdout).toMatch(/engine: the otel-activity service \(pid \d+\) at http:\/\/127\.0\.0\.1:\d+/);
  }, 90_000);
});
