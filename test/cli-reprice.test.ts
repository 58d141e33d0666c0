/**
 * `reprice` over real chDB: costs of stored model calls recomputed from the current price table (a stale price
 * corrected, an unpriced call priced, reported and app-set costs left alone), the daily rollup corrected by exactly the
 * same amounts (rollup and raw reports agree before and after merges, a second run changes nothing, a run interrupted
 * between the correction and the update is finished by running it again), and the built CLI printing it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivitySpan, Attributes } from '../sdk/activity-span';
import { QueryCatalog } from '../exporter/analytics/query-catalog';
import { toClickHouseTime } from '../exporter/rows/format-timestamp';
import { spanToRow } from '../exporter/rows/span-to-row';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import type { Sink } from '../exporter/sinks/sink';
import { runOperation } from '../exporter/service/admin-operations';
import { migrate } from '../schemas/migrate';
import { CLI_MAIN } from './helpers/built-paths';
import { runChild } from './helpers/run-child';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-reprice-'));
const sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
const catalog = QueryCatalog.load();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.now();
// Noon of two days ago and of forty days ago: inside and outside a 30-day window, far from a day's edge.
const twoDaysAgo = Math.floor(now / DAY) * DAY - 2 * DAY + 12 * HOUR;
const fortyDaysAgo = twoDaysAgo - 38 * DAY;

/** The service's config as the operations read it: raw retention and the price overrides. */
function configWith(modelPrices: Record<string, { inputPerMillion: number; outputPerMillion: number }>): never {
  return { exporter: { retentionDays: 90, rollupRetentionDays: 730 }, sdk: { modelPrices } } as never;
}

function span(id: number, startTimeMs: number, user: string, attributes: Attributes): ActivitySpan {
  return {
    traceId: id.toString(16).padStart(32, '0'),
    spanId: id.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'chat',
    kind: 2,
    startTimeMs,
    durationMs: 500,
    statusCode: 0,
    statusMessage: '',
    attributes: { 'activity.kind': 'external', 'user.id': user, ...attributes },
    resource: { 'service.name': 'rag-api', 'deployment.environment.name': 'prod' },
    events: [],
  };
}

const llm = (provider: string, model: string, input: number, output: number, extra: Attributes = {}): Attributes => ({
  'gen_ai.provider.name': provider,
  'gen_ai.request.model': model,
  'gen_ai.usage.input_tokens': input,
  'gen_ai.usage.output_tokens': output,
  ...extra,
});

const SPANS: ActivitySpan[] = [
  // 1: priced by an SDK with a stale price that ignored the 1000 cached tokens (1200 × 0.15 + 300 × 0.6 = $0.00036).
  span(1, twoDaysAgo, 'u-1', llm('openai', 'gpt-4o-mini', 1200, 300, { 'gen_ai.usage.cache_read.input_tokens': 1000, 'activity.cost.usd': 0.00036, 'activity.cost.source': 'price_table' })),
  // 2: stored before acme-7b had a price: unpriced (NULL).
  span(2, now - HOUR, 'u-2', llm('acme', 'acme-7b', 10_000, 2_000)),
  // 3: what the provider reported it billed: never repriced.
  span(3, twoDaysAgo, 'u-1', llm('openai', 'gpt-4o', 1000, 1000, { 'activity.cost.usd': 0.5, 'activity.cost.source': 'reported' })),
  // 4: the app's own activity.cost.usd (no source): never repriced.
  span(4, twoDaysAgo, 'u-2', llm('openai', 'gpt-4o', 1000, 1000, { 'activity.cost.usd': 0.25 })),
  // 5: the same stale price as 1, but outside the window.
  span(5, fortyDaysAgo, 'u-1', llm('openai', 'gpt-4o-mini', 1200, 300, { 'gen_ai.usage.cache_read.input_tokens': 1000, 'activity.cost.usd': 0.00036, 'activity.cost.source': 'price_table' })),
  // 6: an HTTP call with no model.
  span(6, twoDaysAgo, 'u-1', { 'http.request.method': 'GET', 'url.full': 'https://api.stripe.com/v1/charges', 'http.response.status_code': 200 }),
  // 7: priced where it was stored at today's built-in price ((200 × 0.15 + 1000 × 0.075 + 300 × 0.6) / 1M): unchanged.
  span(7, now - HOUR, 'u-1', llm('openai', 'gpt-4o-mini', 1200, 300, { 'gen_ai.usage.cache_read.input_tokens': 1000 })),
  // 8: a model nobody has a price for.
  span(8, now - HOUR, 'u-3', llm('acme', 'mystery-1', 50, 5)),
];

const ACME = { 'acme-7b': { inputPerMillion: 0.2, outputPerMillion: 0.8 } };

async function costs(): Promise<Record<string, string | null>> {
  const rows = await sink.query<{ id: string; cost: string | null; source: string }>(
    "SELECT span_id AS id, toString(cost_usd) AS cost, attributes['activity.cost.source'] AS source FROM external_calls ORDER BY span_id",
  );
  return Object.fromEntries(rows.map((r) => [String(parseInt(r.id, 16)), r.cost === null ? null : `${r.cost} ${r.source}`]));
}

/** A report over whole UTC days from 35 days back to tomorrow: the rollup form reads only the rollup. */
async function report(name: string): Promise<Array<Record<string, unknown>>> {
  const from = toClickHouseTime(new Date(Math.floor(now / DAY) * DAY - 35 * DAY));
  const to = toClickHouseTime(new Date(Math.floor(now / DAY) * DAY + DAY));
  return sink.query(catalog.get(name).sql, catalog.bind(name, { from, to, service: 'rag-api' }));
}

async function rollupMatchesRaw(): Promise<Array<Record<string, unknown>>> {
  const rollup = await report('cost-by-user');
  expect(rollup).toEqual(await report('cost-by-user.raw'));
  expect(await report('cost-by-provider')).toEqual(await report('cost-by-provider.raw'));
  return rollup;
}

const stdout = (name: 'reprice', args: Record<string, unknown>, config: never, on: Sink = sink) => runOperation(name, on, args, config).then((r) => r.lines);

beforeAll(async () => {
  await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 });
  const rows = SPANS.map((s) => spanToRow(s)?.row);
  const result = await sink.insert('external_calls', rows as object[], { dedupToken: 'reprice-fixture' });
  if (!result.ok) throw result.error;
}, 60_000);

afterAll(async () => {
  await sink.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('reprice', () => {
  it('is stored as the fixture says before it runs: a stale price, two unpriced calls, a mapping-priced call marked price_table', async () => {
    expect(await costs()).toEqual({
      1: '0.00036 price_table', 2: null, 3: '0.5 reported', 4: '0.25 ', 5: '0.00036 price_table', 6: '0 ', 7: '0.000285 price_table', 8: null,
    });
    expect(await rollupMatchesRaw()).toEqual([
      { user_id: 'u-1', calls: 4, input_tokens: 3400, output_tokens: 1600, cost_usd: 0.500645, unpriced_calls: 0, cache_read_tokens: 2000, cache_write_tokens: 0, reasoning_tokens: 0 },
      { user_id: 'u-2', calls: 2, input_tokens: 11000, output_tokens: 3000, cost_usd: 0.25, unpriced_calls: 1, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
      { user_id: 'u-3', calls: 1, input_tokens: 50, output_tokens: 5, cost_usd: 0, unpriced_calls: 1, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
    ]);
  });

  it('--dry-run says what would change and changes nothing', async () => {
    const before = await costs();
    expect(await stdout('reprice', { since: '30d', dryRun: true }, configWith(ACME))).toEqual([
      expect.stringMatching(/^external_calls \d{4}-\d\d-\d\d [\d:.]+ → \d{4}-\d\d-\d\d [\d:.]+ UTC: 4 model calls priced from the price table or unpriced$/),
      'would change the cost of 2 rows (1 of them were unpriced), by 0.003525000 USD in total; 1 calls still have no price',
      'external_cost_daily: would get 2 rows of the same amounts',
    ]);
    expect(await costs()).toEqual(before);
  });

  it('recomputes the stale and the unpriced cost in the window, leaves reported, app-set and older costs alone', async () => {
    const lines = await stdout('reprice', { since: '30d' }, configWith(ACME));
    expect(lines.slice(1)).toEqual([
      // 0.0036 (acme-7b: 10000 × 0.2 + 2000 × 0.8) − 0.000075 (gpt-4o-mini: cached tokens at their price)
      'changed the cost of 2 rows (1 of them were unpriced), by 0.003525000 USD in total; 1 calls still have no price',
      'external_cost_daily: corrected by 2 rows of the same amounts',
    ]);
    expect(await costs()).toEqual({
      1: '0.000285 price_table', 2: '0.0036 price_table', 3: '0.5 reported', 4: '0.25 ', 5: '0.00036 price_table', 6: '0 ', 7: '0.000285 price_table', 8: null,
    });
    const [marked] = await sink.query<{ n: string }>("SELECT count() AS n FROM external_calls WHERE attributes['activity.cost.repriced_at'] != ''");
    expect(Number(marked.n)).toBe(2);
  });

  it('keeps the rollup equal to the raw rows, before and after merges, and a second run changes nothing', async () => {
    const expected = [
      { user_id: 'u-1', calls: 4, input_tokens: 3400, output_tokens: 1600, cost_usd: 0.50057, unpriced_calls: 0, cache_read_tokens: 2000, cache_write_tokens: 0, reasoning_tokens: 0 },
      { user_id: 'u-2', calls: 2, input_tokens: 11000, output_tokens: 3000, cost_usd: 0.2536, unpriced_calls: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
      { user_id: 'u-3', calls: 1, input_tokens: 50, output_tokens: 5, cost_usd: 0, unpriced_calls: 1, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 },
    ];
    expect(await rollupMatchesRaw()).toEqual(expected);
    expect((await stdout('reprice', { since: '30d' }, configWith(ACME))).slice(1)).toEqual([
      'changed the cost of 0 rows (0 of them were unpriced), by 0.000000000 USD in total; 1 calls still have no price',
      'external_cost_daily: corrected by 0 rows of the same amounts',
    ]);
    expect(await rollupMatchesRaw()).toEqual(expected);
    await sink.command('OPTIMIZE TABLE external_cost_daily FINAL');
    expect(await rollupMatchesRaw()).toEqual(expected);
    // Merged, the correction rows are gone into the rows they corrected: plain counts, no 2^64 − n left.
    expect(await sink.query("SELECT user_id, unpriced_calls, toString(cost_usd) AS cost FROM external_cost_daily WHERE model = 'acme-7b'")).toEqual([
      { user_id: 'u-2', unpriced_calls: 0, cost: '0.0036' },
    ]);
  });

  it('finishes a run interrupted between the rollup correction and the raw update when run again, counting it once', async () => {
    const cheaper = { 'acme-7b': { inputPerMillion: 0.1, outputPerMillion: 0.4 } };
    // The engine goes away after the correction is stored, before the update.
    const failingUpdate = new Proxy(sink, {
      get(target, key) {
        if (key === 'command') return async (sql: string) => { if (/ALTER TABLE external_calls UPDATE/.test(sql)) throw new Error('connection lost'); };
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as Sink;
    await expect(stdout('reprice', { since: '30d' }, configWith(cheaper), failingUpdate)).rejects.toThrow('connection lost');
    expect((await stdout('reprice', { since: '30d' }, configWith(cheaper))).slice(1)).toEqual([
      'changed the cost of 1 rows (0 of them were unpriced), by -0.001800000 USD in total; 1 calls still have no price',
      'external_cost_daily: corrected by 1 rows of the same amounts',
    ]);
    expect((await costs())[2]).toBe('0.0018 price_table');
    const rollup = await rollupMatchesRaw();
    expect(rollup.find((r) => r.user_id === 'u-2')).toEqual({ user_id: 'u-2', calls: 2, input_tokens: 11000, output_tokens: 3000, cost_usd: 0.2518, unpriced_calls: 0, cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0 });
  });

  it('refuses a missing or malformed window', async () => {
    await expect(stdout('reprice', {}, configWith({}))).rejects.toThrow('reprice needs a window: --since 30d, or --from (and --to)');
    await expect(stdout('reprice', { since: 'a month' }, configWith({}))).rejects.toThrow('--since must be a number and a unit');
  });
});

describe('otel-activity reprice (the built CLI)', () => {
  it('prints the counts, and exits 2 without a window', async () => {
    if (!fs.existsSync(CLI_MAIN)) throw new Error(`build first (npm run build): ${CLI_MAIN} is missing`);
    // The CLI opens the data directory itself: this process lets go of it first.
    await sink.close();
    const run = (args: string[], env: Record<string, string> = {}) =>
      runChild(process.execPath, [CLI_MAIN, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: root, OTEL_ACTIVITY_DATA_DIR: path.join(root, 'data'), OTEL_ACTIVITY_RETENTION_DAYS: '90', ...env },
      });
    const usage = await run(['reprice']);
    expect([usage.status, usage.stderr.trim()]).toEqual([2, 'otel-activity: reprice needs a window: --since 30d, or --from (and --to)']);
    // A price for mystery-1 now: the last unpriced call gets its cost ((50 × 1 + 5 × 2) / 1M).
    const priced = await run(['reprice', '--since', '30d'], { OTEL_ACTIVITY_MODEL_PRICES: JSON.stringify({ 'mystery-1': { inputPerMillion: 1, outputPerMillion: 2 }, 'acme-7b': { inputPerMillion: 0.1, outputPerMillion: 0.4 } }) });
    expect(priced.stderr).toBe('');
    expect(priced.status).toBe(0);
    expect(priced.stdout.split('\n').slice(1)).toEqual([
      'changed the cost of 1 rows (1 of them were unpriced), by 0.000060000 USD in total; 0 calls still have no price',
      'external_cost_daily: corrected by 1 rows of the same amounts',
      '',
    ]);
  });
});
