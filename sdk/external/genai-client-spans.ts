/**
 * CLIENT spans that GenAI instrumentations make for a model call (@anthropic-ai/sdk's own, OpenLLMetry, the OTel
 * GenAI instrumentations): recognised by gen_ai.provider.name (or the deprecated gen_ai.system), made external-call
 * rows named for their provider, and priced from their own gen_ai.usage.* attributes.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_COST_SOURCE,
  ATTR_ACTIVITY_COST_USD,
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_USAGE_SOURCE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_LEGACY,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
} from '../attributes';
import type { ActivityRuntime } from '../runtime/activity-runtime';
import { priceUsage, type TokenUsage } from './token-usage';
import { externalCallAttributes } from './track-external-call';

/** gen_ai.provider.name values (semconv) → our service names, where they differ. */
const SERVICE_OF_PROVIDER: Readonly<Record<string, string>> = {
  'gcp.gemini': 'gemini',
  'gcp.vertex_ai': 'vertex_ai',
  'gcp.gen_ai': 'gemini',
  'azure.ai.openai': 'azure.openai',
  'aws.bedrock': 'bedrock',
  mistral_ai: 'mistral',
};

/** The provider of a GenAI client span, from its start attributes; undefined for any other span. */
export function genAiProviderOf(attributes: Attributes): string | undefined {
  if (attributes[ATTR_ACTIVITY_KIND] !== undefined) return undefined;
  const provider = attributes[ATTR_GEN_AI_PROVIDER_NAME] ?? attributes[ATTR_GEN_AI_SYSTEM_LEGACY];
  return typeof provider === 'string' && provider !== '' ? provider.slice(0, 128) : undefined;
}

/** What makes a GenAI span an external call row: kind, service, provider and the requested model. */
export function genAiCallAttributes(provider: string, attributes: Attributes): Attributes {
  const model = attributes[ATTR_GEN_AI_REQUEST_MODEL];
  const set = externalCallAttributes(SERVICE_OF_PROVIDER[provider] ?? provider, typeof model === 'string' ? model : undefined);
  set[ATTR_GEN_AI_PROVIDER_NAME] = provider;
  return set;
}

/** GenAI usage keys an inner span (a GenAI span under trackExternalCall) hands to its call when the call lacks them. */
export const GENAI_FOLDED: readonly string[] = [
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
];

function count(attributes: Attributes, key: string): number {
  const value = attributes[key];
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.round(value) : 0;
}

/** The tokens a span's gen_ai.usage.* attributes state. */
export function usageOfAttributes(attributes: Attributes): TokenUsage {
  return {
    inputTokens: count(attributes, ATTR_GEN_AI_USAGE_INPUT_TOKENS),
    outputTokens: count(attributes, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS),
    cacheReadTokens: count(attributes, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS),
    cacheWriteTokens: count(attributes, ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS),
    reasoningTokens: count(attributes, ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS),
  };
}

/**
 * At the end of a GenAI call span: its cost from its final token counts (the instrumentation sets them last),
 * unless the app recorded its own usage or cost on it.
 */
export function genAiCostAttributes(runtime: ActivityRuntime, attributes: Attributes): Attributes {
  if (attributes[ATTR_ACTIVITY_USAGE_SOURCE] === 'app') return {};
  const model = attributes[ATTR_GEN_AI_RESPONSE_MODEL] ?? attributes[ATTR_GEN_AI_REQUEST_MODEL];
  const usage = usageOfAttributes(attributes);
  if (usage.inputTokens === 0 && usage.outputTokens === 0) return {};
  const cost = priceUsage(runtime.priceOf, typeof model === 'string' ? model : undefined, usage);
  return cost === undefined ? {} : { [ATTR_ACTIVITY_COST_USD]: cost, [ATTR_ACTIVITY_COST_SOURCE]: 'price_table' };
}
