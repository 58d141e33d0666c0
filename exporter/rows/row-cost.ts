/**
 * An external row's cost: the span's activity.cost.usd when the app or our SDK set it, else priced here from its
 * gen_ai.usage.* counts with the built-in price list at the call's own time, so GenAI spans from other SDKs
 * (OpenLLMetry, the OTel GenAI instrumentations) are priced too. NULL: a model call nobody could price.
 */
import {
  ATTR_ACTIVITY_COST_USD,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from 'otel-activity/contract';
import { createPriceTable } from 'otel-activity/contract';
import { costOfUsage } from 'otel-activity/contract';
import type { ActivitySpan, PriceLookup, TokenUsage } from 'otel-activity/contract';
import { numberAttr, textAttr, uintOf } from './attribute-values';

const builtInPriceOf = createPriceTable();

/** Decimal(18, 9) holds < 10^9; a larger "cost" is a bug upstream, stored as 0 rather than failing the batch. */
const MAX_COST_USD = 999_999_999;

/** Rounded to the column's 9 decimals, so the engine never sees more digits than Decimal(18, 9) takes. */
export function costOf(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value) || value < 0 || value > MAX_COST_USD) return 0;
  return Number(value.toFixed(9));
}

export function rowCostOf(span: ActivitySpan, model: string): number | null {
  const a = span.attributes;
  if (a[ATTR_ACTIVITY_COST_USD] !== undefined) return costOf(numberAttr(a, ATTR_ACTIVITY_COST_USD));
  if (model === '') return 0;
  // numberAttr: OTLP JSON sends int64 counts as text.
  const count = (key: string): number => uintOf(numberAttr(a, key));
  const usage = {
    inputTokens: count(ATTR_GEN_AI_USAGE_INPUT_TOKENS),
    outputTokens: count(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS),
    cacheReadTokens: count(ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
    cacheWriteTokens: count(ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
    reasoningTokens: count(ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
  };
  return priceOfUsage(builtInPriceOf, span.startTimeMs, model, textAttr(a, ATTR_GEN_AI_RESPONSE_MODEL, 256), usage);
}

/**
 * A model call's cost from a price table at the call's time, as stored rows are priced (here and by `reprice`):
 * NULL when no tokens were counted or no price is known. The snapshot that answered (`answeredModel`, '' when
 * unknown) prices exactly; the model asked for is the fallback.
 */
export function priceOfUsage(priceOf: PriceLookup, atMs: number, model: string, answeredModel: string, usage: TokenUsage): number | null {
  if (usage.inputTokens === 0 && usage.outputTokens === 0) return null;
  const price = priceOf(answeredModel || model, atMs) ?? priceOf(model, atMs);
  return price === undefined ? null : costOf(costOfUsage(price, usage));
}
