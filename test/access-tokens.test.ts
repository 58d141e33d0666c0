/**
 * Access: the ingest token guards POST /v1/traces, the admin token guards /api/*, the dashboard API and alerts;
 * missing, wrong, near-miss and swapped tokens get 401. Neither token (nor the ClickHouse password) ever shows up in
 * the service's output, its metrics, its spool or any row of any table, even after an app under register sent
 * traffic with the token and attackers sent it back in every header. Named reports bind `--param` values: an
 * injection attempt returns nothing and breaks nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseServer } from './helpers/clickhouse-server';
import { startFixtureApp } from './helpers/fixture-app';
import { encodeSpans, makeSpans, post } from './helpers/otlp-sender';
import { requireBuiltCli, createService, type ServiceProcess } from './helpers/service-process';

const INGEST_TOKEN = 'ingest-tok-4c1d9e7a2b';
const ADMIN_TOKEN = 'admin-tok-8f2e6b0c5d';
const RUN = 0xacce;

let service: ServiceProcess;

beforeAll(async () => {
  requireBuiltCli();
  service = await createService({ adminToken: ADMIN_TOKEN, env: { OTEL_ACTIVITY_INGEST_TOKEN: INGEST_TOKEN, OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '100' } });
  await service.start();
}, 90_000);

afterAll(async () => {
  await service?.dispose();
}, 60_000);

describe('tokens', () => {
  it('rejects ingest with a missing, wrong, near-miss or swapped token (401) and stores nothing from it', async () => {
    const attempts: Array<[string, Record<string, string>]> = [
      ['none', {}],
      ['wrong', { authorization: 'Bearer nope' }],
      ['one char longer', { authorization: `Bearer ${INGEST_TOKEN}x` }],
      ['one char shorter', { authorization: `Bearer ${INGEST_TOKEN.slice(0, -1)}` }],
      ['no Bearer scheme', { authorization: INGEST_TOKEN }],
      ['Basic scheme', { authorization: `Basic ${Buffer.from(`x:${INGEST_TOKEN}`).toString('base64')}` }],
      ['admin token on ingest', { authorization: `Bearer ${ADMIN_TOKEN}` }],
      ['empty Bearer', { authorization: 'Bearer ' }],
      ['token in another header', { 'x-api-key': INGEST_TOKEN }],
    ];
    const spans = makeSpans(RUN, 0, 3);
    const body = encodeSpans(spans, 'json');
    for (const [label, headers] of attempts) {
      const result = await post(service.tracesUrl, body, { contentType: 'application/json', headers });
      expect(result.status, label).toBe(401);
      expect(result.headers['www-authenticate'], label).toBe('Bearer');
    }
    const ids = spans.map((s) => s.spanContext().spanId);
    expect(await service.query('SELECT span_id FROM access_log WHERE span_id IN {ids:Array(String)}', { ids })).toEqual([]);
    const ok = await post(service.tracesUrl, body, { contentType: 'application/json', headers: { authorization: `bearer ${INGEST_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await service.waitForCount('SELECT count() AS n FROM (SELECT span_id FROM access_log UNION ALL SELECT span_id FROM auth_events UNION ALL SELECT span_id FROM external_calls) WHERE span_id IN {ids:Array(String)}', { ids }, 3)).toBe(3);
  });

  it('rejects /api/query, the dashboard API and alert acks without the admin token, or with the ingest token (401)', async () => {
    const targets: Array<[string, string, string | undefined]> = [
      ['POST', '/api/query', JSON.stringify({ sql: 'SELECT 1' })],
      ['GET', '/api/tables', undefined],
      ['POST', '/api/admin/status', '{}'],
      ['GET', '/api/reports', undefined],
      ['GET', '/api/reports/overview?since=1h', undefined],
      ['GET', '/api/alerts', undefined],
      ['POST', '/api/alerts/00000000-0000-4000-8000-000000000000/ack', ''],
    ];
    for (const [method, target, body] of targets) {
      for (const [label, headers] of [
        ['none', {}],
        ['ingest token', { authorization: `Bearer ${INGEST_TOKEN}` }],
        ['wrong', { authorization: `Bearer ${ADMIN_TOKEN}0` }],
        ['in the query string', {}],
      ] as Array<[string, Record<string, string>]>) {
        const url = `${service.baseUrl}${target}${label === 'in the query string' ? `${target.includes('?') ? '&' : '?'}token=${ADMIN_TOKEN}` : ''}`;
        const response = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers }, body });
        expect(response.status, `${method} ${target} with ${label}`).toBe(401);
        await response.arrayBuffer();
      }
      const response = await fetch(`${service.baseUrl}${target}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` }, body });
      expect([200, 404], `${method} ${target} with the admin token`).toContain(response.status);
      await response.arrayBuffer();
    }
  });

  it('binds report parameters: an injection attempt in --param or the dashboard returns nothing and breaks nothing', async () => {
    const before = await service.query<{ n: string }>('SELECT count() AS n FROM access_log');
    const injections = ["x' OR '1'='1", "x') OR 1=1 --", "' UNION ALL SELECT * FROM system.users --", 'x\\\' OR 1=1 --', '{user:String}'];
    for (const value of injections) {
      const result = await service.cli(['report', 'recent-activity', '--since', '1d', '--param', `user=${value}`, '--format', 'json']);
      expect(result.code, `${value}: ${result.stderr}`).toBe(0);
      expect((JSON.parse(result.stdout) as { rows: unknown[] }).rows, value).toEqual([]);
      const response = await fetch(`${service.baseUrl}/api/reports/recent-activity?since=1d&user=${encodeURIComponent(value)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(response.status, value).toBe(200);
      expect(((await response.json()) as { rows: unknown[] }).rows, value).toEqual([]);
    }
    // A typed parameter refuses SQL outright, naming the parameter.
    const typed = await service.cli(['report', 'recent-activity', '--since', '1d', '--param', 'limit=1; DROP TABLE access_log', '--format', 'json']);
    expect(typed.code).not.toBe(0);
    expect(typed.stderr).toMatch(/limit/);
    // The same report with a real user still answers, and nothing was dropped or changed.
    const real = await service.cli(['report', 'recent-activity', '--since', '1d', '--param', 'user=user-0', '--format', 'json']);
    expect(real.code, real.stderr).toBe(0);
    expect((JSON.parse(real.stdout) as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
    expect(await service.query<{ n: string }>('SELECT count() AS n FROM access_log')).toEqual(before);
  });

  it('never writes the ingest or admin token to its output, metrics, spool or any row of any table, and keeps service.json owner-only', async () => {
    // Real traffic from an app under register carrying the ingest token, plus attackers echoing both tokens everywhere.
    const app = await startFixtureApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: service.baseUrl,
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer%20${INGEST_TOKEN}`,
      OTEL_SERVICE_NAME: 'token-app',
    });
    try {
      for (let i = 0; i < 5; i++) {
        // Headers are never captured and these query parameters are redacted; a token a client puts in a field that is
        // stored (a user agent, an unlisted parameter) is that client's data, so the test does not do that.
        const response = await fetch(`${app.baseUrl}/items/${i}?token=${INGEST_TOKEN}&access_token=${ADMIN_TOKEN}`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-ingest': INGEST_TOKEN, cookie: `t=${ADMIN_TOKEN}` },
        });
        await response.arrayBuffer();
      }
    } finally {
      await app.stop('SIGTERM');
    }
    expect(app.output()).not.toContain(INGEST_TOKEN);
    await service.waitForCount("SELECT count() AS n FROM access_log WHERE service = 'token-app'", {}, 5);
    await fetch(`${service.baseUrl}/api/reports/overview?since=1h`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.arrayBuffer());

    // Every table of the database, every row, as text.
    const tables = Object.keys(await service.tables()).map((name) => ({ name }));
    expect(tables.length).toBeGreaterThanOrEqual(4);
    let rowsScanned = 0;
    const leaks: string[] = [];
    for (const { name } of tables) {
      const rows = await service.query(`SELECT * FROM \`${name}\``);
      rowsScanned += rows.length;
      const text = JSON.stringify(rows);
      for (const [label, token] of [['ingest', INGEST_TOKEN], ['admin', ADMIN_TOKEN]]) if (text.includes(token!)) leaks.push(`${label} token in table ${name}`);
    }
    const metrics = JSON.stringify(await service.metrics()) + (await (await fetch(`${service.baseUrl}/metrics?format=prometheus`)).text()) + (await service.healthz()).body;
    const spoolDir = path.join(service.root, 'spool');
    const spoolText = fs.existsSync(spoolDir) ? fs.readdirSync(spoolDir, { recursive: true }).map((f) => {
      const full = path.join(spoolDir, String(f));
      return fs.statSync(full).isFile() ? fs.readFileSync(full, 'utf8') : '';
    }).join('') : '';
    for (const [label, token] of [['ingest', INGEST_TOKEN], ['admin', ADMIN_TOKEN]] as const) {
      if (service.output().includes(token)) leaks.push(`${label} token in service output`);
      if (metrics.includes(token)) leaks.push(`${label} token in /metrics or /healthz`);
      if (spoolText.includes(token)) leaks.push(`${label} token in the spool`);
    }
    console.log(`[reliability] token scan: ${tables.length} tables, ${rowsScanned} rows, service output ${service.output().length} bytes; leaks: ${JSON.stringify(leaks)}`);
    expect(leaks).toEqual([]);
    // service.json must hold the admin token for the CLI, so it is readable by its owner only.
    const serviceFile = path.join(service.root, 'service.json');
    expect(fs.statSync(serviceFile).mode & 0o777).toBe(0o600);
  });
});

describe('ClickHouse credentials', () => {
  it('never prints the ClickHouse password, whether it is wrong or the server refuses the schema', async () => {
    const password = 'ch-pass-SECRET-71d3';
    const server = await createClickHouseServer({ user: 'writer', password });
    const outputs: string[] = [];
    try {
      await server.start();
      for (const [label, given] of [['wrong password', `${password}-wrong`], ['right password, old server', password]] as const) {
        const svc = await createService({
          env: {
            OTEL_ACTIVITY_CLICKHOUSE_URL: server.url,
            OTEL_ACTIVITY_CLICKHOUSE_USER: 'writer',
            OTEL_ACTIVITY_CLICKHOUSE_PASSWORD: given,
            OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '100',
            OTEL_ACTIVITY_MAX_RETRIES: '1',
            OTEL_ACTIVITY_RETRY_INITIAL_MS: '20',
            OTEL_LOG_LEVEL: 'debug',
          },
        });
        try {
          await svc.start();
          await post(svc.tracesUrl, encodeSpans(makeSpans(RUN, 100, 30), 'protobuf'), { contentType: 'application/x-protobuf' });
          await new Promise((r) => setTimeout(r, 2_000));
          const metrics = JSON.stringify(await svc.metrics());
          outputs.push(`${label}: ${svc.output()}${metrics}`);
          expect(svc.output(), label).not.toContain(password);
          expect(metrics, label).not.toContain(password);
          expect(svc.output().length, `${label}: the failure is reported`).toBeGreaterThan(0);
        } finally {
          await svc.dispose();
        }
      }
    } finally {
      await server.dispose();
    }
    console.log(`[reliability] ClickHouse password scan: ${outputs.map((o) => o.length).join(' + ')} bytes of output/metrics, password absent`);
  }, 120_000);
});
