/**
 * Privacy end to end: an app under `--require otel-activity/register` (default config) → the ingest service → chDB.
 * The stored client_ip is the /24 (IPv4) or /48 (IPv6), never the address; every raw table and rollup carries a TTL;
 * `erase-user` leaves no row holding the user's id in any table with a user column, and leaves other users alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureApp } from './helpers/fixture-app';
import { encodeSpans, makeSpan, post, spanIdFor, traceIdFor } from './helpers/otlp-sender';
import { requireBuiltCli, createService, type ServiceProcess } from './helpers/service-process';

let service: ServiceProcess;
const RUN = 0x9a1d;

beforeAll(async () => {
  requireBuiltCli();
  service = await createService({ env: { OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '100' } });
  await service.start();
}, 90_000);

afterAll(async () => {
  await service?.dispose();
}, 60_000);

describe('privacy, app → service → tables', () => {
  it('stores the client address anonymised by default: IPv4 to its /24, IPv6 to its /48, auth events too', async () => {
    const app = await startFixtureApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: service.baseUrl,
      OTEL_SERVICE_NAME: 'privacy-e2e',
      // Behind a proxy the client address comes from X-Forwarded-For: that is the address that must be anonymised.
      OTEL_ACTIVITY_TRUST_PROXY: 'true',
      OTEL_ACTIVITY_AUTH_ROUTES: JSON.stringify({ 'POST /login': 'login' }),
    });
    try {
      const clients = ['203.0.113.77', '198.51.100.201', '2001:db8:abcd:12:1:2:3:4'];
      for (const ip of clients) {
        const r1 = await fetch(`${app.baseUrl}/items/1`, { headers: { 'x-forwarded-for': `${ip}, 10.0.0.1` } });
        await r1.arrayBuffer();
        const r2 = await fetch(`${app.baseUrl}/login`, { method: 'POST', headers: { 'x-forwarded-for': ip }, body: 'bad' });
        await r2.arrayBuffer();
      }
    } finally {
      await app.stop('SIGTERM');
    }
    expect(await service.waitForCount("SELECT count() AS n FROM access_log WHERE service = 'privacy-e2e'", {}, 6)).toBe(6);
    expect(await service.waitForCount("SELECT count() AS n FROM auth_events WHERE service = 'privacy-e2e'", {}, 3)).toBe(3);
    const access = await service.query<{ ip: string }>("SELECT DISTINCT toString(client_ip) AS ip FROM access_log WHERE service = 'privacy-e2e' ORDER BY ip");
    const auth = await service.query<{ ip: string }>("SELECT DISTINCT toString(client_ip) AS ip FROM auth_events WHERE service = 'privacy-e2e' ORDER BY ip");
    const expected = ['2001:db8:abcd::', '::ffff:198.51.100.0', '::ffff:203.0.113.0'];
    expect(access.map((r) => r.ip)).toEqual(expected);
    expect(auth.map((r) => r.ip)).toEqual(expected);
    // Not in the attributes map either.
    const everywhere = JSON.stringify(await service.query("SELECT * FROM access_log WHERE service = 'privacy-e2e'")) +
      JSON.stringify(await service.query("SELECT * FROM auth_events WHERE service = 'privacy-e2e'"));
    for (const full of ['203.0.113.77', '198.51.100.201', '1:2:3:4', '10.0.0.1']) expect(everywhere, full).not.toContain(full);
  });

  it('declares a TTL on every raw table (90 days) and every rollup (730 days)', async () => {
    const byName = Object.fromEntries(Object.entries(await service.tables()).map(([name, info]) => [name, info.ttl]));
    console.log(`[reliability] TTLs: ${JSON.stringify(byName)}`);
    for (const raw of ['access_log', 'auth_events', 'external_calls', 'activities']) expect(byName[raw], raw).toMatch(/toIntervalDay\(90\)|INTERVAL 90 DAY/);
    for (const rollup of ['access_route_daily', 'auth_daily', 'external_cost_daily']) expect(byName[rollup], rollup).toMatch(/toIntervalDay\(730\)|INTERVAL 730 DAY/);
  });

  it('erase-user removes every row holding the user id from every table with a user column, and nothing of anyone else', async () => {
    const victim = "victim-42'; --";
    const bystander = 'bystander-7';
    let seq = 0;
    const spans = [];
    for (const user of [victim, bystander]) {
      for (const kind of ['access', 'auth', 'external', 'access', 'external'] as const) {
        const n = seq++;
        spans.push(makeSpan({ kind, spanId: spanIdFor(RUN, n), traceId: traceIdFor(RUN, n), attributes: { 'user.id': user, 'session.id': `s-${user}` } }, n));
      }
      const n = seq++;
      spans.push(
        makeSpan(
          {
            kind: 'access',
            spanId: spanIdFor(RUN, n),
            traceId: traceIdFor(RUN, n),
            attributes: { 'activity.kind': 'custom', 'activity.action': 'document.export', 'activity.resource.type': 'document', 'activity.resource.id': 'd1', 'user.id': user },
          },
          n,
        ),
      );
    }
    expect((await post(service.tracesUrl, encodeSpans(spans, 'protobuf'), { contentType: 'application/x-protobuf' })).status).toBe(200);
    const ids = spans.map((s) => s.spanContext().spanId);
    const union = 'SELECT span_id FROM access_log UNION ALL SELECT span_id FROM auth_events UNION ALL SELECT span_id FROM external_calls UNION ALL SELECT span_id FROM activities';
    expect(await service.waitForCount(`SELECT count() AS n FROM (${union}) WHERE span_id IN {ids:Array(String)}`, { ids }, spans.length)).toBe(spans.length);

    const userTables = Object.entries(await service.tables())
      .filter(([, info]) => info.columns.some((c) => c.name === 'user_id'))
      .map(([table]) => ({ table }))
      .sort((a, b) => a.table.localeCompare(b.table));
    const count = async (user: string) => {
      const out: Record<string, number> = {};
      for (const { table } of userTables) {
        const [row] = await service.query<{ n: string }>('SELECT count() AS n FROM {table:Identifier} WHERE user_id = {user:String}', { table, user });
        out[table] = Number(row!.n);
      }
      return out;
    };
    const victimBefore = await count(victim);
    const bystanderBefore = await count(bystander);
    expect(victimBefore.access_log).toBe(2);
    expect(victimBefore.external_calls).toBe(2);

    const result = await service.cli(['erase-user', victim]);
    expect(result.code, result.stderr).toBe(0);
    const victimAfter = await count(victim);
    const bystanderAfter = await count(bystander);
    console.log(`[reliability] erase-user: tables with user_id ${userTables.map((t) => t.table).join(', ')}; victim before ${JSON.stringify(victimBefore)} after ${JSON.stringify(victimAfter)}; CLI said: ${result.stdout.trim().replace(/\n/g, ' | ')}`);
    expect(Object.values(victimAfter).every((n) => n === 0), JSON.stringify(victimAfter)).toBe(true);
    expect(bystanderAfter).toEqual(bystanderBefore);
    // Nor anywhere else in a row of the raw tables (an attributes map, a session id built from it).
    for (const table of ['access_log', 'auth_events', 'external_calls', 'activities']) {
      const rows = await service.query('SELECT * FROM {table:Identifier} WHERE span_id IN {ids:Array(String)}', { table, ids });
      expect(JSON.stringify(rows).includes('victim-42'), table).toBe(false);
    }
  });
});
