/**
 * `recordUsage({ model, inputTokens, outputTokens, costUsd? })`: token counts and cost on the current external
 * call, or on the one that finished just before it (same turn of the event loop); cost comes from the caller or the
 * price table. With no call at all it records a usage-only span (activity.external.call = usage), so no cost is lost.
 */
import { context, diag, SpanKind, trace, type Attributes } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_COST_USD,
  ATTR_ACTIVITY_EXTERNAL_CALL,
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_USAGE_SOURCE,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '../attributes';
import { getRuntime } from '../runtime/activity-runtime';
import { guardApi, optionsArg, textArg } from '../runtime/safe-args';
import { attributesOf } from '../runtime/span-access';
import { priceUsage, usageAttributes, type TokenUsage } from './token-usage';
import { justFinishedCall } from './recent-calls';
import { externalCallAttributes } from './track-external-call';
import { serviceOfModel } from './llm-providers';

export interface UsageRecord {
  readonly model: string;
  /** All input tokens, cached ones included (OpenAI's prompt_tokens; Anthropic's input + cache read + cache write). */
  readonly inputTokens?: number;
  /** All output tokens, reasoning ones included. */
  readonly outputTokens?: number;
  /** Input tokens read from the prompt cache (priced at cachedInputPerMillion). */
  readonly cachedInputTokens?: number;
  /** Input tokens written to the prompt cache (priced at cacheWritePerMillion). */
  readonly cacheWriteTokens?: number;
  /** Reasoning tokens (priced at reasoningPerMillion, else as output). */
  readonly reasoningTokens?: number;
  /** Cost as reported by the provider; wins over the price table. */
  readonly costUsd?: number;
  /** Service name for usage recorded outside an external call; default from the model name. */
  readonly service?: string;
}

let warnedOutside = false;

function tokens(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** Records model usage on the active external call. Returns the cost in USD, if known. */
export function recordUsage(usage: UsageRecord): number | undefined {
  return guardApi('recordUsage', () => record(optionsArg<UsageRecord>(usage)), undefined);
}

const USAGE_KEYS: ReadonlyArray<[keyof TokenUsage, string]> = [
  ['inputTokens', ATTR_GEN_AI_USAGE_INPUT_TOKENS],
  ['outputTokens', ATTR_GEN_AI_USAGE_OUTPUT_TOKENS],
  ['cacheReadTokens', ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS],
  ['cacheWriteTokens', ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS],
  ['reasoningTokens', ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS],
];

function record(usage: Partial<UsageRecord>): number | undefined {
  const runtime = getRuntime();
  const maxLength = runtime.config.attributeMaxLength;
  const rawModel = textArg(usage.model);
  const model = rawModel !== undefined && rawModel.length > maxLength ? rawModel.slice(0, maxLength) : rawModel;
  const counts: TokenUsage = {
    inputTokens: tokens(usage.inputTokens),
    outputTokens: tokens(usage.outputTokens),
    cacheReadTokens: tokens(usage.cachedInputTokens),
    cacheWriteTokens: tokens(usage.cacheWriteTokens),
    reasoningTokens: tokens(usage.reasoningTokens),
  };
  const reported = typeof usage.costUsd === 'number' && Number.isFinite(usage.costUsd) && usage.costUsd >= 0 ? usage.costUsd : undefined;
  const cost = reported ?? priceUsage(runtime.priceOf, model, counts);

  let span = trace.getActiveSpan();
  let ownSpan = false;
  // Right after `await`ing a call: the call that just finished under the current span, still open this turn.
  if (span === undefined || attributesOf(span)[ATTR_ACTIVITY_KIND] !== 'external') {
    const finished = justFinishedCall(span?.spanContext().spanId ?? '');
    if (finished !== undefined && isUsageOf(attributesOf(finished), model)) span = finished;
  }
  if (span === undefined || attributesOf(span)[ATTR_ACTIVITY_KIND] !== 'external') {
    if (!warnedOutside) {
      warnedOutside = true;
      diag.warn('otel-activity: recordUsage() outside trackExternalCall(); recording a usage-only external span (wrap the call to get its latency too)');
    }
    const service = textArg(usage.service)?.slice(0, 128) ?? (model === undefined ? undefined : serviceOfModel(model)) ?? 'unknown';
    const attributes = { ...externalCallAttributes(service, model), [ATTR_ACTIVITY_EXTERNAL_CALL]: 'usage' };
    span = runtime.tracer.startSpan(`external ${service}`, { kind: SpanKind.CLIENT, attributes }, context.active());
    ownSpan = true;
  }
  const attributes = attributesOf(span);
  // Usage read from the response is replaced by the app's own numbers; several recordUsage calls (e.g. one per
  // streamed chunk) add up.
  const adding = attributes[ATTR_ACTIVITY_USAGE_SOURCE] === 'app';
  if (model !== undefined && attributes[ATTR_GEN_AI_REQUEST_MODEL] === undefined) span.setAttribute(ATTR_GEN_AI_REQUEST_MODEL, model);
  const total: Record<keyof TokenUsage, number> = { ...counts };
  if (adding) for (const [field, key] of USAGE_KEYS) total[field] += Number(attributes[key] ?? 0);
  const prevCost = adding ? Number(attributes[ATTR_ACTIVITY_COST_USD] ?? 0) : 0;
  const set = usageAttributes(total, model, cost === undefined ? undefined : Math.round((prevCost + cost) * 1e9) / 1e9, 'app', reported === undefined ? 'price_table' : 'reported');
  span.setAttributes(set);
  if (ownSpan) span.end();
  return cost;
}

/**
 * Whether usage recorded after a call is that call's: not when the app already recorded usage on it (that was
 * its own), nor when the call names a different model (a snapshot of the same model is the same).
 */
function isUsageOf(call: Attributes, model: string | undefined): boolean {
  if (call[ATTR_ACTIVITY_USAGE_SOURCE] === 'app') return false;
  if (model === undefined) return true;
  const m = model.toLowerCase();
  for (const key of [ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_RESPONSE_MODEL]) {
    const named = call[key];
    if (typeof named === 'string' && named !== '') {
      const n = named.toLowerCase();
      if (!n.startsWith(m) && !m.startsWith(n)) return false;
    }
  }
  return true;
}
