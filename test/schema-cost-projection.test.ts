/**
 * Migration 016's per-provider projection of external_cost_daily (chDB): cost-by-provider, cost-per-day and trends
 * read it (force_optimize_projection fails a query that reads none), their answers equal the .raw forms, and
 * erase-user still deletes from the rollup (a lightweight DELETE on a table with a projection rebuilds it).
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

const DAY_MS = 86_400_000;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-cost-projection-'));
const config = loadConfig({ env: {}, overrides: { exporter: { dataDir: path.join(root, 'data') } } });
const catalog = QueryCatalog.load();
let sink: EmbeddedSink;
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
const window = { from: new Date(today - 3 * DAY_MS).toISOString(), to: new Date(today).toISOString() };

beforeAll(async () => {
  sink = new EmbeddedSink({ dataDir: config.exporter.dataDir });
  await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 });
  // Two days, two providers, two models, three users; costs in nano-dollars so sums are exact.
  await sink.command(
    `INSERT INTO external_calls (timestamp, trace_id, span_id, service, provider, model, status, user_id, input_tokens, output_tokens, cost_usd)
     SELECT toDateTime64({start:DateTime64(3, 'UTC')}, 3, 'UTC') + toIntervalMinute(number * 97), 't', concat('c', toString(number)), 'shop',
       ['openai', 'anthropic'][1 + number % 2], ['m1', 'm2'][1 + intDiv(number, 2) % 2], 200, concat('u', toString(number % 3)),
       number * 10, number, toDecimal64(number, 9) / 1000
     FROM numbers(40)`,
    { start: window.from.replace('T', ' ').replace('Z', '') },
  );
}, 60_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const FORCED = ' SETTINGS force_optimize_projection = 1';

describe('external_cost_daily per-provider projection', () => {
  it('answers cost-by-provider, cost-per-day and trends, each equal to its .raw form', async () => {
    for (const name of ['cost-by-provider', 'cost-per-day', 'trends']) {
      const params = catalog.bind(name, window);
      const rows = await sink.query(catalog.get(name).sql + FORCED, params);
      expect(rows.length, name).toBeGreaterThan(0);
      expect(rows, name).toEqual(await sink.query(catalog.get(`${name}.raw`).sql, catalog.bind(`${name}.raw`, window)));
    }
    const rows = await catalog.run<{ provider: string; calls: string | number }>(sink, 'cost-by-provider', window);
    expect(rows.map((r) => [r.provider, Number(r.calls)])).toEqual([['anthropic', 20], ['openai', 20]]);
  });

  it('lets erase-user delete a user from the rollup, and the projection follows', async () => {
    const result = await runOperation('erase-user', sink, { userId: 'u0' }, config);
    expect(result.lines.find((l) => l.startsWith('external_cost_daily:'))).toMatch(/^external_cost_daily: deleted [1-9]\d* rows$/);
    const rows = await sink.query<{ provider: string; calls: string | number }>(catalog.get('cost-by-provider').sql + FORCED, catalog.bind('cost-by-provider', window));
    // u0 made calls 0, 3, 6, …, 39: 14 of the 40; the other 26 are left, 13 per provider.
    expect(rows.map((r) => [r.provider, Number(r.calls)]).sort()).toEqual([['anthropic', 13], ['openai', 13]]);
    expect(await catalog.run(sink, 'cost-by-provider', window)).toEqual(await catalog.run(sink, 'cost-by-provider.raw', window));
  });
});
