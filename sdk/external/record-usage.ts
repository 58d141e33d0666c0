/**
 * `recordUsage({ model, inputTokens, outputTokens, costUsd? })`: token counts and cost on the current external
 * call; cost comes from the caller or from the price table. Outside any external call, it records a usage-only
 * external span, so cost is never lost.
 */
import { context, diag, SpanKind, trace } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_COST_USD,
  ATTR_ACTIVITY_KIND,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '../attributes';
import { getRuntime } from '../runtime/activity-runtime';
import { guardApi, optionsArg, textArg } from '../runtime/safe-args';
import { attributesOf } from '../runtime/span-access';
import { costUsd } from './price-table';
import { externalCallAttributes } from './track-external-call';
import { serviceOfModel } from './llm-providers';

export interface UsageRecord {
  readonly model: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  /** Cost as reported by the provider; wins over the price table. */
  readonly costUsd?: number;
  /** Service name for usage recorded outside an external call; default from the model name. */
  readonly service?: string;
}

const warnedPrices = new Set<string>();
let warnedOutside = false;

function tokens(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** Records model usage on the active external call. Returns the cost in USD, if known. */
export function recordUsage(usage: UsageRecord): number | undefined {
  return guardApi('recordUsage', () => record(optionsArg<UsageRecord>(usage)), undefined);
}

function record(usage: Partial<UsageRecord>): number | undefined {
  const runtime = getRuntime();
  const maxLength = runtime.config.attributeMaxLength;
  const rawModel = textArg(usage.model);
  const model = rawModel !== undefined && rawModel.length > maxLength ? rawModel.slice(0, maxLength) : rawModel;
  const input = tokens(usage.inputTokens);
  const output = tokens(usage.outputTokens);
  let cost = typeof usage.costUsd === 'number' && Number.isFinite(usage.costUsd) && usage.costUsd >= 0 ? usage.costUsd : undefined;
  if (cost === undefined && model !== undefined) {
    const price = runtime.priceOf(model);
    if (price !== undefined) cost = costUsd(price, input, output);
    else if (!warnedPrices.has(model) && warnedPrices.size < 100) {
      warnedPrices.add(model);
      diag.warn(`otel-activity: no price for model "${model.slice(0, 100)}"; add it to modelPrices (OTEL_ACTIVITY_MODEL_PRICES) to get its cost`);
    }
  }

  let span = trace.getActiveSpan();
  let ownSpan = false;
  if (span === undefined || attributesOf(span)[ATTR_ACTIVITY_KIND] !== 'external') {
    if (!warnedOutside) {
      warnedOutside = true;
      diag.warn('otel-activity: recordUsage() outside trackExternalCall(); recording a usage-only external span (wrap the call to get its latency too)');
    }
    const service = textArg(usage.service)?.slice(0, 128) ?? (model === undefined ? undefined : serviceOfModel(model)) ?? 'unknown';
    span = runtime.tracer.startSpan(`external ${service}`, { kind: SpanKind.CLIENT, attributes: externalCallAttributes(service, model) }, context.active());
    ownSpan = true;
  }
  const attributes = attributesOf(span);
  if (model !== undefined) {
    if (attributes[ATTR_GEN_AI_REQUEST_MODEL] === undefined) span.setAttribute(ATTR_GEN_AI_REQUEST_MODEL, model);
    span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, model);
  }
  // Several calls on one span (e.g. streaming chunks) add up.
  const prevIn = Number(attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] ?? 0);
  const prevOut = Number(attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] ?? 0);
  const prevCost = Number(attributes[ATTR_ACTIVITY_COST_USD] ?? 0);
  span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, prevIn + input);
  span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, prevOut + output);
  if (cost !== undefined) span.setAttribute(ATTR_ACTIVITY_COST_USD, Math.round((prevCost + cost) * 1e9) / 1e9);
  if (ownSpan) span.end();
  return cost;
}
