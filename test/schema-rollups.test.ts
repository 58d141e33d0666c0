/**
 * The rollup tables, read with -Merge combinators and sum() ... GROUP BY as documented, equal the same aggregates
 * over the raw rows: exactly for counts, sums, Decimal costs and uniq of small sets; quantiles are compared
 * with the same t-digest on both sides (a state merged from per-insert partial states against one state over
 * all raw rows), within a stated tolerance.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivitySpan } from '../sdk/activity-span';
import { spanToRow } from '../exporter/rows/span-to-row';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';

let dir: string;
let sink: EmbeddedSink;

const DAY0 = Date.UTC(2026, 10, 20);
const ROUTES = ['/orders/:id', '/login', '/search'];
const PROVIDERS = [
  ['openai', 'gpt-4o-mini'],
  ['gemini', 'gemini-2.0-flash'],
] as const;

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

function span(i: number, kind: 1 | 2 | 0, attributes: ActivitySpan['attributes'], startTimeMs: number, durationMs: number): ActivitySpan {
  return {
    traceId: i.toString(16).padStart(32, '0'),
    spanId: i.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'x',
    kind,
    startTimeMs,
    durationMs,
    statusCode: 0,
    statusMessage: '',
    attributes,
    resource: { 'service.name': i % 5 === 0 ? 'billing' : 'shop', 'deployment.environment.name': 'prod' },
    events: [],
  };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-rollups-'));
  sink = new EmbeddedSink({ dataDir: path.join(dir, 'data') });
  await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
  const rand = lcg(7);
  // Several INSERTs per table, so the rollups hold several partial states per key that must merge.
  for (let batch = 0; batch < 6; batch++) {
    const access = [];
    const auth = [];
    const external = [];
    for (let j = 0; j < 500; j++) {
      const i = batch * 500 + j;
      const t = DAY0 + Math.floor(rand() * 3 * 86_400_000);
      const user = rand() < 0.2 ? '' : `u-${Math.floor(rand() * 40)}`;
      const status = rand() < 0.05 ? 503 : rand() < 0.1 ? 404 : 200;
      access.push(
        spanToRow(
          span(i, 1, {
            'activity.kind': 'access',
            'http.request.method': rand() < 0.7 ? 'GET' : 'POST',
            'http.route': ROUTES[i % 3],
            'http.response.status_code': status,
            'http.response.body.size': Math.floor(rand() * 5000),
            'user.id': user,
          }, t, Math.round(rand() * 400_000) / 1000),
        )!.row,
      );
      const failed = rand() < 0.3;
      auth.push(
        spanToRow(
          span(i, 0, {
            'activity.kind': 'auth',
            'activity.auth.event': failed ? 'login_failed' : 'login',
            'activity.auth.success': !failed,
            'user.id': user,
            'client.address': rand() < 0.1 ? 'bogus' : `198.51.100.${Math.floor(rand() * 30)}`,
          }, t, 1),
        )!.row,
      );
      const [provider, model] = PROVIDERS[i % 2];
      external.push(
        spanToRow(
          span(i, 2, {
            'activity.kind': 'external',
            'activity.external.service': provider,
            'gen_ai.request.model': model,
            'gen_ai.usage.input_tokens': Math.floor(rand() * 2000),
            'gen_ai.usage.output_tokens': Math.floor(rand() * 500),
            // Costs with 9 decimals: a float sum of these drifts, the Decimal sum must not.
            'activity.cost.usd': Math.floor(rand() * 1e6) / 1e9,
            'http.response.status_code': rand() < 0.05 ? 429 : 200,
            'user.id': user,
          }, t, rand() * 2000),
        )!.row,
      );
    }
    expect(await sink.insert('access_log', access, { dedupToken: `a${batch}` })).toEqual({ ok: true });
    expect(await sink.insert('auth_events', auth, { dedupToken: `b${batch}` })).toEqual({ ok: true });
    expect(await sink.insert('external_calls', external, { dedupToken: `c${batch}` })).toEqual({ ok: true });
  }
});
afterAll(async () => {
  await sink.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('rollups equal raw aggregates', () => {
  it('access_route_daily: requests, errors, client errors, bytes and unique users per service, route, method and day', async () => {
    const fromRollup = await sink.query(`
      SELECT day, service, route, method, sum(requests) AS requests, sum(errors) AS errors, sum(client_errors) AS client_errors,
             sum(response_bytes) AS response_bytes, round(sum(duration_ms_sum), 3) AS duration, uniqMerge(users) AS users
      FROM access_route_daily GROUP BY day, service, route, method ORDER BY day, service, route, method`);
    const fromRaw = await sink.query(`
      SELECT toDate(timestamp) AS day, service, route, method, count() AS requests, countIf(status >= 500) AS errors,
             countIf(status >= 400 AND status < 500) AS client_errors, sum(response_bytes) AS response_bytes,
             round(sum(duration_ms), 3) AS duration, uniqIf(user_id, user_id != '') AS users
      FROM access_log GROUP BY day, service, route, method ORDER BY day, service, route, method`);
    expect(fromRollup.length).toBeGreaterThan(20);
    expect(fromRollup).toEqual(fromRaw);
    expect(await sink.query('SELECT sum(requests) AS n FROM access_route_daily')).toEqual([{ n: 3000 }]);
  });

  it('access_route_daily: merged t-digest quantiles match a t-digest over the raw rows within 2% of the range', async () => {
    const rollup = await sink.query<{ route: string; q: number[] }>(
      'SELECT route, quantilesTDigestMerge(0.5, 0.9, 0.95, 0.99)(duration_ms_quantiles) AS q FROM access_route_daily GROUP BY route ORDER BY route',
    );
    const raw = await sink.query<{ route: string; q: number[]; exact: number[] }>(
      'SELECT route, quantilesTDigest(0.5, 0.9, 0.95, 0.99)(duration_ms) AS q, quantilesExact(0.5, 0.9, 0.95, 0.99)(duration_ms) AS exact FROM access_log GROUP BY route ORDER BY route',
    );
    expect(rollup.map((r) => r.route)).toEqual([...ROUTES].sort());
    // Durations span 0-400 ms; t-digest merged from 18+ partial states differs from one pass by a few ms at most.
    const tolerance = 0.02 * 400;
    rollup.forEach((r, i) => {
      r.q.forEach((v, k) => {
        expect(Math.abs(v - raw[i].q[k])).toBeLessThanOrEqual(tolerance);
        expect(Math.abs(v - raw[i].exact[k])).toBeLessThanOrEqual(tolerance);
      });
    });
  });

  it('auth_daily: events, unique users and unique known IPs per event, outcome and day', async () => {
    const fromRollup = await sink.query(`
      SELECT day, service, event, success, sum(events) AS events, uniqMerge(users) AS users, uniqMerge(client_ips) AS ips
      FROM auth_daily GROUP BY day, service, event, success ORDER BY day, service, event, success`);
    const fromRaw = await sink.query(`
      SELECT toDate(timestamp) AS day, service, event, success, count() AS events, uniqIf(user_id, user_id != '') AS users,
             uniqIf(client_ip, client_ip != toIPv6('::')) AS ips
      FROM auth_events GROUP BY day, service, event, success ORDER BY day, service, event, success`);
    expect(fromRollup.length).toBeGreaterThan(8);
    expect(fromRollup).toEqual(fromRaw);
  });

  it('external_cost_daily: calls, errors, tokens and exact Decimal cost per provider, model and user', async () => {
    const fromRollup = await sink.query(`
      SELECT provider, model, user_id, sum(calls) AS calls, sum(errors) AS errors, sum(input_tokens) AS input_tokens,
             sum(output_tokens) AS output_tokens, toString(sum(cost_usd)) AS cost
      FROM external_cost_daily GROUP BY provider, model, user_id ORDER BY provider, model, user_id`);
    const fromRaw = await sink.query(`
      SELECT provider, model, user_id, count() AS calls, countIf(status >= 400 OR status = 0) AS errors, sum(input_tokens) AS input_tokens,
             sum(output_tokens) AS output_tokens, toString(sum(cost_usd)) AS cost
      FROM external_calls GROUP BY provider, model, user_id ORDER BY provider, model, user_id`);
    expect(fromRollup.length).toBeGreaterThan(40);
    expect(fromRollup).toEqual(fromRaw);
    // The grand total as exact text equals the sum of the mapped numbers computed in integer nano-dollars.
    const rows = await sink.query<{ c: string }>('SELECT toString(cost_usd) AS c FROM external_calls');
    const nanos = rows.reduce((acc, r) => acc + BigInt(Math.round(Number(r.c) * 1e9)), 0n);
    const [total] = await sink.query<{ t: string }>('SELECT toString(sum(cost_usd)) AS t FROM external_cost_daily');
    expect(BigInt(Math.round(Number(total.t) * 1e9))).toBe(nanos);
  });
});
