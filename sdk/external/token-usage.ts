/**
 * Token counts of one model call in semantic-convention terms, their cost from a price, and the span attributes
 * both recordUsage() and usage read from responses set.
 */
import { diag, type Attributes } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_COST_SOURCE,
  ATTR_ACTIVITY_COST_USD,
  ATTR_ACTIVITY_USAGE_SOURCE,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '../attributes';
import type { ModelPrice } from '../config/config-types';
import type { PriceLookup } from './price-table';

/**
 * As gen_ai.usage.* counts them: inputTokens includes the cached and cache-written ones, outputTokens the
 * reasoning ones (OpenAI's own totals; Anthropic's and Gemini's parts are added up to match).
 */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
}

export const NO_USAGE: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 };

/**
 * USD, rounded to 1e-9 (the column's resolution). Cached and cache-written tokens at their own prices when the
 * table has them (else the input price), reasoning tokens at the reasoning price (else the output price).
 */
export function costOfUsage(price: ModelPrice, usage: TokenUsage): number {
  const cacheRead = Math.min(usage.cacheReadTokens, usage.inputTokens);
  const cacheWrite = Math.min(usage.cacheWriteTokens, usage.inputTokens - cacheRead);
  const reasoning = Math.min(usage.reasoningTokens, usage.outputTokens);
  // Summed as token × USD-per-million first, one rounding at the end: nano-dollars, as the column stores them.
  const total =
    (usage.inputTokens - cacheRead - cacheWrite) * price.inputPerMillion +
    cacheRead * (price.cachedInputPerMillion ?? price.inputPerMillion) +
    cacheWrite * (price.cacheWritePerMillion ?? price.inputPerMillion) +
    (usage.outputTokens - reasoning) * price.outputPerMillion +
    reasoning * (price.reasoningPerMillion ?? price.outputPerMillion);
  return Math.round(total * 1000) / 1e9;
}

/** The gen_ai.usage.* attributes (zero parts left out), the answering model and the cost when it is known. */
export function usageAttributes(
  usage: TokenUsage,
  model: string | undefined,
  cost: number | undefined,
  source: 'response' | 'app',
  costSource: 'reported' | 'price_table' = 'price_table',
): Attributes {
  const set: Attributes = {
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage.inputTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage.outputTokens,
    [ATTR_ACTIVITY_USAGE_SOURCE]: source,
  };
  if (usage.cacheReadTokens > 0) set[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cacheReadTokens;
  if (usage.cacheWriteTokens > 0) set[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = usage.cacheWriteTokens;
  if (usage.reasoningTokens > 0) set[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.reasoningTokens;
  if (model !== undefined && model !== '') set[ATTR_GEN_AI_RESPONSE_MODEL] = model;
  if (cost !== undefined) {
    set[ATTR_ACTIVITY_COST_USD] = cost;
    set[ATTR_ACTIVITY_COST_SOURCE] = costSource;
  }
  return set;
}

const warnedModels = new Set<string>();

/** Cost of `usage` from the price table; undefined (and one diag warning per model) when the model has no price. */
export function priceUsage(priceOf: PriceLookup, model: string | undefined, usage: TokenUsage): number | undefined {
  if (model === undefined || model === '') return undefined;
  const price = priceOf(model);
  if (price !== undefined) return costOfUsage(price, usage);
  if (!warnedModels.has(model) && warnedModels.size < 100) {
    warnedModels.add(model);
    diag.warn(`otel-activity: no price for model "${model.slice(0, 100)}"; add it to modelPrices (OTEL_ACTIVITY_MODEL_PRICES) to get its cost`);
  }
  return undefined;
}
