/**
 * `reprice`: recomputes the cost of stored model calls from the current price table (after a price change, or for
 * calls stored before their model had a price) and corrects the daily cost rollup by exactly the same amounts.
 *
 * Which rows: external_calls in the window with a model, whose cost came from a price table (activity.cost.source =
 * 'price_table', as the SDK and the row mapping mark it) or is unpriced (NULL). A reported cost (what the provider
 * billed, or an app's own activity.cost.usd) is never touched, nor a row past raw retention (the rollup view skipped
 * those when they arrived, migration 012; the retention is the config's, which must be the days `retention --days`
 * last set). Prices: the table this process was configured with (built-in list under
 * modelPrices), at each call's own time, with the row mapping's own function, so a repriced row equals a newly stored one.
 *
 * Why the rollup stays exact: external_cost_daily is a SummingMergeTree its view fills on INSERT only, and an ALTER …
 * UPDATE of raw rows never reaches it. So, per day, reprice first inserts one correction row per rollup key
 * (day, service, environment, provider, model, user) holding (new − old) cost and −(calls no longer unpriced), then
 * updates the raw rows in one synchronous mutation. Sums over any filter of the rollup's key columns take the
 * correction with the rows it corrects. unpriced_calls is UInt64: its negative correction is stored as 2^64 − n,
 * which sum() and the merges add modulo 2^64, the exact count again (a single unmerged correction row read without
 * sum() shows that large number). The correction is inserted with a deduplication token made of the day's changes
 * and the rows' previous reprice marks, so a run interrupted between the two steps can be run again: the same
 * correction is dropped as a duplicate and the update is applied.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { PriceLookup } from 'otel-activity/contract';
import { ATTR_ACTIVITY_COST_SOURCE, ATTR_GEN_AI_RESPONSE_MODEL } from 'otel-activity/contract';
import { priceOfUsage } from '../rows/row-cost';
import type { Sink } from '../sinks/sink';
import { toClickHouseTime } from '../rows/format-timestamp';

/** Set on every repriced row: when, by which run (its rows change again only by a later run). */
export const ATTR_COST_REPRICED_AT = 'activity.cost.repriced_at';

/** Rows per mutation: the ids travel in the statement, which ClickHouse keeps in system.mutations. */
const CHUNK_ROWS = 10_000;
const NANOS = 1_000_000_000n;
const UINT64 = 1n << 64n;

export interface RepriceOptions {
  /** [from, to) in ClickHouse UTC text. */
  readonly from: string;
  readonly to: string;
  /** Raw retention in days (exporter.retentionDays): older rows are not in the rollup and are left alone. */
  readonly retentionDays: number;
  readonly priceOf: PriceLookup;
  /** Count and sum the changes without writing anything. */
  readonly dryRun?: boolean;
  readonly now?: Date;
}

export interface RepriceResult {
  /** Model calls in the window priced from a price table or unpriced: what reprice looked at. */
  readonly considered: number;
  /** Rows whose cost changed. */
  readonly changed: number;
  /** Of those, calls that were unpriced and now have a cost. */
  readonly newlyPriced: number;
  /** Calls still unpriced (no price for their model, or no tokens counted). */
  readonly stillUnpriced: number;
  /** Sum of (new − old) cost over the changed rows, exact, as decimal text. */
  readonly costChangeUsd: string;
  /** Correction rows inserted into external_cost_daily. */
  readonly rollupCorrections: number;
}

interface Candidate {
  readonly span_id: string;
  readonly ts_ms: string;
  readonly day: string;
  readonly service: string;
  readonly environment: string;
  readonly provider: string;
  readonly model: string;
  readonly user_id: string;
  readonly answered_model: string;
  readonly input_tokens: string | number;
  readonly output_tokens: string | number;
  readonly cache_read_tokens: string | number;
  readonly cache_write_tokens: string | number;
  readonly reasoning_tokens: string | number;
  /** Decimal text; null when unpriced. */
  readonly cost: string | null;
  readonly repriced_at: string;
}

interface Change {
  readonly row: Candidate;
  readonly oldNanos: bigint | null;
  readonly newNanos: bigint;
}

// Bound parameters for every value; the attribute keys are this module's constants.
const CANDIDATE_FILTER = `
      timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}
  AND model != ''
  AND toDateTime(timestamp) + toIntervalDay({retention_days:UInt32}) > {now:DateTime64(3, 'UTC')}
  AND (cost_usd IS NULL OR attributes['${ATTR_ACTIVITY_COST_SOURCE}'] = 'price_table')`;

const DAYS_SQL = `SELECT DISTINCT toString(toDate(timestamp)) AS day FROM external_calls WHERE ${CANDIDATE_FILTER} ORDER BY day`;

const CANDIDATES_SQL = `
SELECT span_id, toString(toUnixTimestamp64Milli(timestamp)) AS ts_ms, toString(toDate(timestamp)) AS day,
       service, environment, provider, model, user_id, attributes['${ATTR_GEN_AI_RESPONSE_MODEL}'] AS answered_model,
       input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens,
       toString(cost_usd) AS cost, attributes['${ATTR_COST_REPRICED_AT}'] AS repriced_at
FROM external_calls
WHERE ${CANDIDATE_FILTER} AND toDate(timestamp) = {day:Date}
ORDER BY span_id, timestamp`;

// mutations_sync = 2: the statement returns once every part is rewritten, so the count said is what is stored.
const UPDATE_SQL = `
ALTER TABLE external_calls UPDATE
  cost_usd = toDecimal64OrNull(transform(span_id, {ids:Array(String)}, {costs:Array(String)}, ''), 9),
  attributes = mapUpdate(attributes, map('${ATTR_ACTIVITY_COST_SOURCE}', 'price_table', '${ATTR_COST_REPRICED_AT}', {mark:String}))
WHERE ${CANDIDATE_FILTER} AND toDate(timestamp) = {day:Date} AND span_id IN {ids:Array(String)}
SETTINGS mutations_sync = 2`;

/** Decimal text ('0.00036', '-1.5') → nano-dollars. */
export function nanosOf(text: string): bigint {
  const match = /^(-)?(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`not a decimal cost: "${text}"`);
  const nanos = BigInt(match[2]) * NANOS + BigInt((match[3] ?? '').padEnd(9, '0'));
  return match[1] ? -nanos : nanos;
}

/** Nano-dollars → decimal text with 9 places ('-0.000000160'). */
export function decimalOf(nanos: bigint): string {
  const sign = nanos < 0n ? '-' : '';
  const abs = nanos < 0n ? -nanos : nanos;
  return `${sign}${abs / NANOS}.${(abs % NANOS).toString().padStart(9, '0')}`;
}

function newCostOf(row: Candidate, priceOf: PriceLookup): bigint | null {
  const usage = {
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    cacheReadTokens: Number(row.cache_read_tokens),
    cacheWriteTokens: Number(row.cache_write_tokens),
    reasoningTokens: Number(row.reasoning_tokens),
  };
  const cost = priceOfUsage(priceOf, Number(row.ts_ms), row.model, row.answered_model, usage);
  return cost === null ? null : nanosOf(cost.toFixed(9));
}

/** One correction row per rollup key: the cost moved and the calls that stopped being unpriced. */
function correctionsOf(changes: readonly Change[]): Array<Record<string, string | number>> {
  const byKey = new Map<string, { row: Candidate; cost: bigint; priced: bigint }>();
  for (const { row, oldNanos, newNanos } of changes) {
    const key = JSON.stringify([row.day, row.service, row.environment, row.provider, row.model, row.user_id]);
    const group = byKey.get(key) ?? { row, cost: 0n, priced: 0n };
    group.cost += newNanos - (oldNanos ?? 0n);
    if (oldNanos === null) group.priced += 1n;
    byKey.set(key, group);
  }
  return [...byKey.values()]
    .filter((g) => g.cost !== 0n || g.priced !== 0n)
    .map(({ row, cost, priced }) => ({
      day: row.day,
      service: row.service,
      environment: row.environment,
      provider: row.provider,
      model: row.model,
      user_id: row.user_id,
      // As text: 2^64 − n does not fit a JSON number, and the engine reads quoted numbers into UInt64 and Decimal.
      unpriced_calls: ((UINT64 - priced) % UINT64).toString(),
      cost_usd: decimalOf(cost),
    }));
}

export async function reprice(sink: Sink, options: RepriceOptions): Promise<RepriceResult> {
  const now = options.now ?? new Date();
  const base = {
    from: options.from,
    to: options.to,
    retention_days: options.retentionDays,
    now: toClickHouseTime(now),
  };
  const mark = `${now.toISOString()} ${randomUUID()}`;
  let considered = 0;
  let changed = 0;
  let newlyPriced = 0;
  let stillUnpriced = 0;
  let costChange = 0n;
  let rollupCorrections = 0;

  const days = await sink.query<{ day: string }>(DAYS_SQL, base);
  for (const { day } of days) {
    const rows = await sink.query<Candidate>(CANDIDATES_SQL, { ...base, day });
    considered += rows.length;
    const changes: Change[] = [];
    for (const row of rows) {
      const newNanos = newCostOf(row, options.priceOf);
      const oldNanos = row.cost === null ? null : nanosOf(row.cost);
      if (newNanos === null) {
        if (oldNanos === null) stillUnpriced += 1;
        // A priced row whose model lost its price keeps the cost it has: reprice never makes a cost unknown.
        continue;
      }
      if (newNanos !== oldNanos) changes.push({ row, oldNanos, newNanos });
    }
    for (let start = 0; start < changes.length; start += CHUNK_ROWS) {
      const chunk = changes.slice(start, start + CHUNK_ROWS);
      const corrections = correctionsOf(chunk);
      if (!options.dryRun) {
        // Correction first, then the update: see the module comment for why this order can be run again.
        const token = createHash('sha256')
          .update(JSON.stringify(chunk.map((c) => [c.row.span_id, c.row.cost, c.row.repriced_at, c.newNanos.toString()])))
          .digest('hex');
        if (corrections.length > 0) {
          const result = await sink.insert('external_cost_daily', corrections, { dedupToken: `reprice-${day}-${token}` });
          if (!result.ok) throw new Error(`reprice: the external_cost_daily correction for ${day} was not stored (nothing changed for that day): ${result.error.message}`);
        }
        await sink.command(UPDATE_SQL, {
          ...base,
          day,
          ids: chunk.map((c) => c.row.span_id),
          costs: chunk.map((c) => decimalOf(c.newNanos)),
          mark,
        });
      }
      rollupCorrections += corrections.length;
      changed += chunk.length;
      for (const c of chunk) {
        costChange += c.newNanos - (c.oldNanos ?? 0n);
        if (c.oldNanos === null) newlyPriced += 1;
      }
    }
  }
  return { considered, changed, newlyPriced, stillUnpriced, costChangeUsd: decimalOf(costChange), rollupCorrections };
}
