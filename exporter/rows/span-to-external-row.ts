/**
 * An outbound call span (HTTP API, LLM, SaaS; ours or a stock HTTP client span) → an external_calls row.
 */
import {
  ATTR_ACTIVITY_COST_SOURCE,
  ATTR_ACTIVITY_COST_USD,
  ATTR_ACTIVITY_EXTERNAL_CALL,
  ATTR_ACTIVITY_EXTERNAL_SERVICE,
  ATTR_ACTIVITY_KIND,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_LEGACY,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_HTTP_URL_LEGACY,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_FULL,
} from 'otel-activity/contract';
import type { ActivitySpan } from 'otel-activity/contract';
import { numberAttr, textAttr, uintOf } from './attribute-values';
import { attributesToMap } from './attributes-to-map';
import { METHOD_KEYS, STATUS_KEYS, methodOf, statusOf } from './http-fields';
import type { ExternalCallRow } from './row-types';
import { rowCostOf } from './row-cost';
import { COMMON_KEYS, SHORT_TEXT, commonFields, durationOf, errorMessageOf } from './span-common';

const COLUMN_KEYS: ReadonlySet<string> = new Set([
  ...COMMON_KEYS,
  ...METHOD_KEYS,
  ...STATUS_KEYS,
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_EXTERNAL_SERVICE,
  ATTR_ACTIVITY_EXTERNAL_CALL,
  ATTR_ACTIVITY_COST_USD,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_FULL,
  ATTR_HTTP_URL_LEGACY,
]);

const MAX_TOKENS = Number.MAX_SAFE_INTEGER;

export function spanToExternalRow(span: ActivitySpan, maxLength: number): ExternalCallRow {
  const a = span.attributes;
  const short = Math.min(maxLength, SHORT_TEXT);
  const url = textAttr(a, [ATTR_URL_FULL, ATTR_HTTP_URL_LEGACY], maxLength);
  const host = textAttr(a, ATTR_SERVER_ADDRESS, short) || hostOfUrl(url, short);
  const method = methodOf(a);
  const model = textAttr(a, [ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_RESPONSE_MODEL], short);
  // A model call with no cost is unpriced (NULL), not free; a call with no model costs nothing by the token.
  const cost = rowCostOf(span, model);
  const attributes = attributesToMap(a, COLUMN_KEYS, maxLength, span.resource);
  // Priced here from the price table: marked as the SDK marks its own, so `reprice` may recompute it (an explicit
  // activity.cost.usd without a source is the app's and is left alone).
  if (cost !== null && model !== '' && a[ATTR_ACTIVITY_COST_USD] === undefined) attributes[ATTR_ACTIVITY_COST_SOURCE] = 'price_table';
  // Object.assign, not a spread: see commonFields.
  return Object.assign(commonFields(span, maxLength), {
    parent_span_id: typeof span.parentSpanId === 'string' ? span.parentSpanId.slice(0, 16).toLowerCase() : '',
    provider: textAttr(a, [ATTR_ACTIVITY_EXTERNAL_SERVICE, ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM_LEGACY], short) || host,
    call_kind: callKindOf(a, method, model),
    method,
    host,
    url,
    status: statusOf(a),
    duration_ms: durationOf(span),
    request_bytes: uintOf(numberAttr(a, ATTR_HTTP_REQUEST_BODY_SIZE)),
    response_bytes: uintOf(numberAttr(a, ATTR_HTTP_RESPONSE_BODY_SIZE)),
    // The model asked for groups stably (gpt-4o); the dated one answered (gpt-4o-2024-08-06) stays in the map.
    model,
    input_tokens: uintOf(numberAttr(a, ATTR_GEN_AI_USAGE_INPUT_TOKENS), MAX_TOKENS),
    output_tokens: uintOf(numberAttr(a, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS), MAX_TOKENS),
    cache_read_tokens: uintOf(numberAttr(a, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS), MAX_TOKENS),
    cache_write_tokens: uintOf(numberAttr(a, ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS), MAX_TOKENS),
    reasoning_tokens: uintOf(numberAttr(a, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS), MAX_TOKENS),
    cost_usd: cost,
    error_message: errorMessageOf(span, maxLength),
    attributes,
  });
}

/**
 * What the row stands for: usage recorded with no call, a model call (any gen_ai.* on it), an HTTP call, or a
 * trackExternalCall around something else.
 */
function callKindOf(a: ActivitySpan['attributes'], method: string, model: string): string {
  if (a[ATTR_ACTIVITY_EXTERNAL_CALL] === 'usage') return 'usage';
  if (model !== '' || a[ATTR_GEN_AI_PROVIDER_NAME] !== undefined || a[ATTR_GEN_AI_SYSTEM_LEGACY] !== undefined || a[ATTR_GEN_AI_USAGE_INPUT_TOKENS] !== undefined) return 'llm';
  return method !== '' ? 'http' : 'call';
}

function hostOfUrl(url: string, max: number): string {
  if (!url) return '';
  try {
    return new URL(url).hostname.slice(0, max);
  } catch {
    return '';
  }
}
