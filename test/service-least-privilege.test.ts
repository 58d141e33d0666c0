/**
 * Least privilege on the service's SQL paths: with every token (viewer, admin, ingest, none) every statement that
 * writes, changes the schema or settings, or reaches files, the network, other databases or system tables is refused,
 * and afterwards the rows, the tables and the file system are as they were. What is allowed (one SELECT over the
 * activity tables) runs under the configured caps; admin operations need the admin token; every call is audited.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSpans, makeSpans, post } from './helpers/otlp-sender';
import { requireBuiltCli, createService, type ServiceProcess } from './helpers/service-process';

const ADMIN = 'lp-admin-token-5e0c1a9f';
const VIEWER = 'lp-viewer-token-7b3d2e4c';
const INGEST = 'lp-ingest-token-9a8f6d1b';
const RUN = 0x1e57;
const SPANS = 12;

let service: ServiceProcess;
let canary: string;

beforeAll(async () => {
  requireBuiltCli();
  service = await createService({
    adminToken: ADMIN,
    env: {
      OTEL_ACTIVITY_VIEWER_TOKEN: VIEWER,
      OTEL_ACTIVITY_INGEST_TOKEN: INGEST,
      OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '50',
      OTEL_ACTIVITY_ALERT_INTERVAL_MS: '0',
      OTEL_ACTIVITY_QUERY_MAX_RESULT_ROWS: '1000',
      OTEL_ACTIVITY_QUERY_MAX_EXECUTION_SECONDS: '1',
      OTEL_ACTIVITY_QUERY_MAX_MEMORY_BYTES: String(64 * 1024 * 1024),
    },
  });
  await service.start();
  canary = path.join(service.root, 'written-by-sql.txt');
  const result = await post(service.tracesUrl, encodeSpans(makeSpans(RUN, 0, SPANS, ['access']), 'json'), {
    contentType: 'application/json',
    headers: { authorization: `Bearer ${INGEST}` },
  });
  expect(result.status).toBe(200);
  expect(await service.waitForCount('SELECT count() AS n FROM access_log', {}, SPANS)).toBe(SPANS);
}, 90_000);

afterAll(async () => {
  await service?.dispose();
}, 60_000);

async function api(pathname: string, token: string | undefined, body?: unknown, method = 'POST'): Promise<{ status: number; text: string }> {
  const response = await fetch(`${service.baseUrl}${pathname}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

const sqlOf = (canaryPath: string): Array<[string, string]> => [
  ['DROP TABLE', 'DROP TABLE access_log'],
  ['DROP DATABASE', 'DROP DATABASE default'],
  ['TRUNCATE', 'TRUNCATE TABLE access_log'],
  ['ALTER MODIFY TTL', 'ALTER TABLE access_log MODIFY TTL toDateTime(timestamp) + toIntervalDay(1)'],
  ['ALTER DELETE', 'ALTER TABLE access_log DELETE WHERE 1'],
  ['ALTER DROP COLUMN', 'ALTER TABLE access_log DROP COLUMN route'],
  ['DELETE', 'DELETE FROM access_log WHERE 1'],
  ['UPDATE', "UPDATE access_log SET route = 'x' WHERE 1"],
  ['INSERT VALUES', "INSERT INTO activities (action) VALUES ('forged')"],
  ['INSERT SELECT', 'INSERT INTO access_log SELECT * FROM access_log'],
  ['INSERT INTO FUNCTION file', `INSERT INTO FUNCTION file('${canaryPath}', 'CSV') SELECT 1`],
  ['CREATE TABLE', 'CREATE TABLE evil (a UInt8) ENGINE = Memory'],
  ['CREATE TABLE AS file', `CREATE TABLE evil2 ENGINE = File(CSV, '${canaryPath}') AS SELECT 1`],
  ['CREATE VIEW', 'CREATE VIEW evil_v AS SELECT 1'],
  ['CREATE FUNCTION', 'CREATE FUNCTION evil_f AS (x) -> x'],
  ['CREATE USER', 'CREATE USER evil IDENTIFIED BY \'x\''],
  ['GRANT', 'GRANT ALL ON *.* TO default'],
  ['RENAME', 'RENAME TABLE access_log TO gone'],
  ['DETACH', 'DETACH TABLE access_log'],
  ['OPTIMIZE', 'OPTIMIZE TABLE access_log FINAL'],
  ['SET', 'SET readonly = 0'],
  ['USE', 'USE system'],
  ['SYSTEM', 'SYSTEM DROP MARK CACHE'],
  ['SYSTEM SHUTDOWN', 'SYSTEM SHUTDOWN'],
  ['KILL', 'KILL QUERY WHERE 1'],
  ['BACKUP', `BACKUP TABLE access_log TO File('${canaryPath}')`],
  ['SHOW', 'SHOW TABLES'],
  ['DESCRIBE', 'DESCRIBE TABLE access_log'],
  ['EXPLAIN', 'EXPLAIN SELECT 1'],
  ['two statements', 'SELECT 1; DROP TABLE access_log'],
  ['two statements, comment', 'SELECT 1 -- x\n; TRUNCATE TABLE access_log'],
  ['INTO OUTFILE', `SELECT 1 INTO OUTFILE '${canaryPath}'`],
  ['FORMAT', 'SELECT 1 FORMAT TSV'],
  ['SETTINGS readonly=0', 'SELECT 1 SETTINGS readonly = 0'],
  ['SETTINGS in a subquery', 'SELECT * FROM (SELECT count() FROM access_log SETTINGS max_execution_time = 0)'],
  ['file() /etc/passwd', "SELECT * FROM file('/etc/passwd', 'LineAsString')"],
  ['file() environ', "SELECT * FROM file('/proc/self/environ', 'RawBLOB')"],
  ['scalar file()', "SELECT file('/etc/passwd')"],
  ['scalar FILE() in a lambda', "SELECT arrayMap(x -> FILE(x), ['/proc/self/environ'])"],
  ['url()', "SELECT * FROM url('http://127.0.0.1:9/', 'LineAsString')"],
  ['remote()', "SELECT * FROM remote('127.0.0.1', system.settings)"],
  ['s3()', "SELECT * FROM s3('http://127.0.0.1:9/b/k', 'CSV')"],
  ['mysql()', "SELECT * FROM mysql('127.0.0.1:9', 'd', 't', 'u', 'p')"],
  ['postgresql()', "SELECT * FROM postgresql('127.0.0.1:9', 'd', 't', 'u', 'p')"],
  ['hdfs()', "SELECT * FROM hdfs('hdfs://127.0.0.1:9/x', 'CSV')"],
  ['executable()', "SELECT * FROM executable('sh', 'CSV', 'a String')"],
  ['sqlite()', "SELECT * FROM sqlite('/etc/passwd', 't')"],
  ['merge()', "SELECT * FROM merge('system', '.*')"],
  ['numbers() in a join', 'SELECT count() FROM access_log JOIN numbers(10) AS n ON 1'],
  ['view()', 'SELECT * FROM view(SELECT * FROM system.one)'],
  ['dictionary()', "SELECT * FROM dictionary('d')"],
  ['table function in a CTE', "WITH x AS (SELECT * FROM file('/etc/passwd', 'LineAsString')) SELECT * FROM x"],
  ['table function in a union', "SELECT route FROM access_log UNION ALL SELECT * FROM file('/etc/passwd', 'LineAsString')"],
  ['system.settings', 'SELECT * FROM system.settings'],
  ['system.tables', 'SELECT * FROM system.tables'],
  ['system.query_log', 'SELECT * FROM system.query_log'],
  ['system.processes', 'SELECT * FROM system.processes'],
  ['system.users', 'SELECT * FROM system.users'],
  ['quoted system table', 'SELECT * FROM `system`.`settings`'],
  ['system table in IN', "SELECT count() FROM access_log WHERE 'readonly' IN system.settings"],
  ['system table in a scalar subquery', 'SELECT (SELECT count() FROM system.tables)'],
  ['system table in a CTE', 'WITH t AS (SELECT * FROM system.settings) SELECT * FROM t'],
  ['system table aliased as access_log', 'SELECT * FROM system.settings AS access_log'],
  ['alias posing as a table name', 'SELECT * FROM system.settings AS `x, table_name: default.access_log`'],
  ['system table in a join', 'SELECT count() FROM access_log JOIN system.settings ON 1'],
  ['schema_migrations', 'SELECT * FROM schema_migrations'],
  ['information_schema', 'SELECT * FROM information_schema.tables'],
  ['dictGet', "SELECT dictGet('d', 'a', toUInt64(1))"],
  ['joinGet', "SELECT joinGet('j', 'a', 1)"],
  ['getSetting', "SELECT getSetting('readonly')"],
  ['sleep', 'SELECT sleep(3)'],
  ['hostName', 'SELECT hostName()'],
  ['getMacro', "SELECT getMacro('x')"],
  ['aiGenerate', "SELECT aiGenerate('x')"],
  ['filesystemAvailable', 'SELECT filesystemAvailable()'],
  ['logTrace', "SELECT logTrace('x')"],
];

describe('least privilege', () => {
  it('refuses every forbidden statement and function with every token, and leaks nothing in the answer', async () => {
    const statements = sqlOf(canary);
    const tried: string[] = [];
    for (const [label, sql] of statements) {
      for (const [who, token, expected] of [['viewer', VIEWER, 403], ['admin', ADMIN, 403], ['ingest', INGEST, 401], ['none', undefined, 401]] as const) {
        const { status, text } = await api('/api/query', token, { sql });
        expect(status, `${label} with the ${who} token: ${text}`).toBe(expected);
        expect(text).not.toContain('root:');
        for (const secret of [ADMIN, VIEWER, INGEST]) expect(text).not.toContain(secret);
        tried.push(`${who}:${label}`);
      }
    }
    expect(tried).toHaveLength(statements.length * 4);
  }, 120_000);

  it('refuses raw inserts and commands in the old {insert} / {command} shapes with both tokens', async () => {
    for (const token of [VIEWER, ADMIN]) {
      const insert = await api('/api/query', token, { insert: 'activities', rows: [{ action: 'forged' }] });
      expect(insert.status).toBe(403);
      expect(insert.text).toContain('POST /api/admin/{migrate,retention,cleanup,erase-user,reprice,alert-ack,alerts-evaluate,status}');
      expect((await api('/api/query', token, { sql: 'TRUNCATE TABLE access_log', command: true })).status).toBe(403);
    }
  });

  it('left rows, tables and the file system as they were', async () => {
    expect(await service.query('SELECT count() AS n FROM access_log')).toEqual([{ n: SPANS }]);
    expect(await service.query("SELECT count() AS n FROM activities WHERE action = 'forged'")).toEqual([{ n: 0 }]);
    const { status, text } = await api('/api/tables', VIEWER, undefined, 'GET');
    expect(status).toBe(200);
    expect(Object.keys((JSON.parse(text) as { tables: Record<string, unknown> }).tables).sort()).toEqual([
      'access_client_daily', 'access_log', 'access_route_daily', 'active_users_daily', 'activities', 'alerts', 'auth_daily',
      'auth_events', 'engagement_session_daily', 'engagement_user_days', 'external_calls', 'external_cost_daily',
    ]);
    expect(fs.existsSync(canary)).toBe(false);
    expect(fs.readdirSync(service.root).filter((name) => name.startsWith('evil') || name.startsWith('written'))).toEqual([]);
  });

  it('runs one SELECT over the activity tables with both tokens: CTEs, unions, IN subqueries, bound identifiers', async () => {
    for (const token of [VIEWER, ADMIN]) {
      const ask = async (sql: string, params: Record<string, unknown> = {}) => {
        const { status, text } = await api('/api/query', token, { sql, params });
        expect(status, text).toBe(200);
        return (JSON.parse(text) as { rows: unknown[] }).rows;
      };
      expect(await ask('SELECT count() AS n FROM access_log')).toEqual([{ n: SPANS }]);
      expect(await ask('WITH r AS (SELECT span_id FROM access_log) SELECT count() AS n FROM r')).toEqual([{ n: SPANS }]);
      expect(await ask('SELECT count() AS n FROM access_log WHERE span_id IN (SELECT span_id FROM access_log LIMIT 5)')).toEqual([{ n: 5 }]);
      // ORDER BY binds to the last SELECT of a UNION, so the order of the two rows is sorted here.
      const union = (await ask('SELECT count() AS n FROM access_log UNION ALL SELECT count() AS n FROM auth_events')) as Array<{ n: number }>;
      expect(union.map((r) => r.n).sort((x, y) => x - y)).toEqual([0, SPANS]);
      expect(await ask('SELECT count() AS n FROM {t:Identifier} -- a comment', { t: 'access_log' })).toEqual([{ n: SPANS }]);
      expect(await ask('select count() as n from default.access_log;')).toEqual([{ n: SPANS }]);
    }
    expect((await api('/api/query', VIEWER, { sql: 'SELECT count() FROM {t:Identifier}', params: { t: 'schema_migrations' } })).status).toBe(403);
  });

  it('stops queries at max_result_rows, max_execution_time and max_memory_usage, also inside a union', async () => {
    const rows = await api('/api/query', VIEWER, { sql: 'SELECT arrayJoin(range(5000)) AS n' });
    expect(rows.status).toBe(400);
    expect(rows.text).toContain('TOO_MANY_ROWS_OR_BYTES');
    const union = await api('/api/query', VIEWER, { sql: 'SELECT arrayJoin(range(5000)) AS n UNION ALL SELECT 1' });
    expect(union.status).toBe(400);
    expect(union.text).toContain('TOO_MANY_ROWS_OR_BYTES');
    const started = Date.now();
    const slow = await api('/api/query', VIEWER, { sql: 'SELECT count() FROM (SELECT arrayJoin(range(1000000)) AS a) AS x CROSS JOIN (SELECT arrayJoin(range(1000000)) AS b) AS y' });
    expect(slow.status).toBe(400);
    expect(slow.text).toContain('TIMEOUT_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(10_000);
    const memory = await api('/api/query', VIEWER, { sql: 'SELECT length(groupArray(arrayJoin(range(50000000)))) AS n' });
    expect(memory.status).toBe(400);
    expect(memory.text).toContain('MEMORY_LIMIT_EXCEEDED');
  }, 60_000);

  it('runs named admin operations with the admin token only', async () => {
    for (const [name, args] of [['retention', { days: 30 }], ['cleanup', {}], ['erase-user', { userId: 'nobody' }], ['reprice', { since: '30d' }], ['migrate', {}], ['status', {}], ['alerts-evaluate', {}]] as const) {
      const viewer = await api(`/api/admin/${name}`, VIEWER, args);
      expect(viewer.status, name).toBe(403);
      expect(viewer.text).toContain('needs the admin token');
      expect((await api(`/api/admin/${name}`, INGEST, args)).status, name).toBe(401);
    }
    const retention = await api('/api/admin/retention', ADMIN, { days: 45 });
    expect(retention.status, retention.text).toBe(200);
    expect((JSON.parse(retention.text) as { lines: string[] }).lines).toEqual([
      'access_log: rows kept 45 days', 'auth_events: rows kept 45 days', 'external_calls: rows kept 45 days', 'activities: rows kept 45 days',
      ...['access_route_daily_mv', 'auth_daily_mv', 'access_client_daily_mv', 'external_cost_daily_mv',
        'engagement_session_daily_mv', 'engagement_user_days_mv',
        'active_users_daily_access_mv', 'active_users_daily_auth_mv', 'active_users_daily_external_mv', 'active_users_daily_activities_mv'].map((v) => `${v}: rolls up the rows kept 45 days`),
    ]);
    expect((await api('/api/admin/retention', ADMIN, { days: 'DROP' })).status).toBe(400);
    expect((await api('/api/admin/alert-ack', ADMIN, { id: '00000000-0000-0000-0000-000000000000' })).status).toBe(404);
    expect((await api('/api/admin/alert-ack', ADMIN, { id: 'x' })).status).toBe(400);
    expect((await api('/api/admin/drop-table', ADMIN, {})).status).toBe(404);
    const reprice = await api('/api/admin/reprice', ADMIN, { since: '30d', dryRun: true });
    expect(reprice.status, reprice.text).toBe(200);
    expect((JSON.parse(reprice.text) as { lines: string[] }).lines.slice(1)).toEqual([
      'would change the cost of 0 rows (0 of them were unpriced), by 0.000000000 USD in total; 0 calls still have no price',
      'external_cost_daily: would get 0 rows of the same amounts',
    ]);
    expect((await api('/api/admin/reprice', ADMIN, { since: 'DROP' })).status).toBe(400);
    const erase = await api('/api/admin/erase-user', ADMIN, { userId: 'nobody' });
    expect(erase.status).toBe(200);
    expect((JSON.parse(erase.text) as { lines: string[] }).lines.at(-1)).toBe('erased 0 rows for user "nobody"');
    // The viewer token reads the dashboard API but cannot acknowledge.
    expect((await api('/api/reports/overview?since=1h', VIEWER, undefined, 'GET')).status).toBe(200);
    expect((await api('/api/alerts/00000000-0000-0000-0000-000000000000/ack', VIEWER, {})).status).toBe(403);
  });

  it('records every /api call made with a token as an audit row naming the role and the answer, refused ones included', async () => {
    const counts = async () =>
      Object.fromEntries(
        (await service.query<{ key: string; n: number }>(
          "SELECT concat(action, ' ', user_id, ' ', toString(JSONExtractInt(details, 'status'))) AS key, count() AS n FROM activities WHERE action IN ('api.query', 'admin.operation', 'api.read') GROUP BY key",
        )).map((r) => [r.key, Number(r.n)]),
      );
    const before = await counts();
    await api('/api/query', VIEWER, { sql: 'SELECT 1 AS one' });
    await api('/api/query', VIEWER, { sql: 'SELECT count() FROM access_log' });
    await api('/api/query', VIEWER, { sql: 'DROP TABLE access_log' });
    await api('/api/query', ADMIN, { sql: "SELECT * FROM file('/etc/passwd', 'LineAsString')" });
    await api('/api/admin/cleanup', VIEWER, {});
    await api('/api/admin/status', ADMIN, {});
    await api('/api/tables', ADMIN, undefined, 'GET');
    await api('/api/query', undefined, { sql: 'SELECT 1' });
    const after = await counts();
    const delta = Object.fromEntries(Object.keys(after).map((key) => [key, after[key]! - (before[key] ?? 0)]).filter(([, n]) => n !== 0));
    expect(delta).toEqual({
      'api.query viewer 200': 2,
      'api.query viewer 403': 1,
      // The first counts() query, audited once it had answered.
      'api.query admin 200': 1,
      'api.query admin 403': 1,
      'admin.operation viewer 403': 1,
      'admin.operation admin 200': 1,
      'api.read admin 200': 1,
    });
    const [row] = await service.query<{ details: string; client_ip: string }>(
      "SELECT details, toString(client_ip) AS client_ip FROM activities WHERE action = 'api.query' AND user_id = 'viewer' AND JSONExtractInt(details, 'status') = 403 AND JSONExtractString(details, 'sql') = 'DROP TABLE access_log'",
    );
    expect(JSON.parse(row!.details)).toEqual({ status: 403, sql: 'DROP TABLE access_log' });
  });

  it('lets the CLI query and run operations through the service with the token in service.json', async () => {
    const query = await service.cli(['query', 'SELECT count() AS n FROM access_log', '--format', 'json']);
    expect(JSON.parse(query.stdout)).toEqual([{ n: SPANS }]);
    const retention = await service.cli(['retention', '--days', '60']);
    expect(retention.stdout).toContain('access_log: rows kept 60 days');
    const drop = await service.cli(['query', 'DROP TABLE access_log']);
    expect(drop.code).toBe(1);
    expect(drop.stderr).toContain('only a SELECT is allowed, got DropQuery');
  }, 60_000);
});
