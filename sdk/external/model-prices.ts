/**
 * The built-in model prices, as data: USD per million tokens, from the providers' published price lists. One
 * entry per model and price change; `validFrom` is the day a price took effect, so a call is priced at the price
 * in force on its own day. A model's name matches exactly, also with a dated snapshot suffix
 * (gpt-4o-2024-08-06, claude-sonnet-4-20250514, claude-3-5-haiku@20241022, gpt-4-0613) and a provider prefix
 * (openai/gpt-4o, models/gemini-2.5-pro); never as a prefix of another model (o3-mini is not o3).
 *
 * Checked 2026-12-02 against:
 * - Anthropic: docs.anthropic.com/en/docs/about-claude/pricing (base input, 5-minute cache writes, cache hits,
 *   output); Opus 4.5 and Haiku 4.5 from the same page's later revision.
 * - OpenAI: developers.openai.com/api/docs/pricing (platform.openai.com/docs/pricing), Standard tier: input, cached
 *   input, output; reasoning tokens are billed as output tokens. o3's price cut of 2025-06-10 is its own entry.
 * - Google: ai.google.dev/gemini-api/docs/pricing, paid tier, prompts up to 200k tokens (Gemini 2.5 Pro doubles
 *   input above that; not modelled). Thinking tokens are billed as output. Cached-input prices left out where the
 *   published figure changed during 2025 (the input price is charged instead, so cost errs high, never low).
 * - Mistral (mistral.ai/pricing), Groq (groq.com/pricing), DeepSeek (api-docs.deepseek.com/quick_start/pricing).
 * Batch, flex and priority tiers, long-context surcharges and per-image/per-second charges are not modelled.
 */
import type { ModelPrice } from '../config/config-types';

export interface ModelPriceEntry {
  /** The model's name as the API reports it, without snapshot suffix. */
  readonly model: string;
  /** YYYY-MM-DD, UTC: the first day this price applied. */
  readonly validFrom: string;
  readonly price: ModelPrice;
}

const FROM_LAUNCH = '2000-01-01';

function p(inputPerMillion: number, outputPerMillion: number, cachedInputPerMillion?: number, cacheWritePerMillion?: number): ModelPrice {
  const price: { -readonly [K in keyof ModelPrice]: ModelPrice[K] } = { inputPerMillion, outputPerMillion };
  if (cachedInputPerMillion !== undefined) price.cachedInputPerMillion = cachedInputPerMillion;
  if (cacheWritePerMillion !== undefined) price.cacheWritePerMillion = cacheWritePerMillion;
  return price;
}

const entry = (model: string, price: ModelPrice, validFrom = FROM_LAUNCH): ModelPriceEntry => ({ model, validFrom, price });

export const BUILT_IN_PRICES: readonly ModelPriceEntry[] = [
  // OpenAI: input, output, cached input
  entry('gpt-5', p(1.25, 10, 0.125)),
  entry('gpt-5-mini', p(0.25, 2, 0.025)),
  entry('gpt-5-nano', p(0.05, 0.4, 0.005)),
  entry('gpt-5-pro', p(15, 120)),
  entry('gpt-4.1', p(2, 8, 0.5)),
  entry('gpt-4.1-mini', p(0.4, 1.6, 0.1)),
  entry('gpt-4.1-nano', p(0.1, 0.4, 0.025)),
  entry('gpt-4o', p(2.5, 10, 1.25)),
  entry('gpt-4o-mini', p(0.15, 0.6, 0.075)),
  // Text in, audio out (per million audio tokens).
  entry('gpt-4o-mini-tts', p(0.6, 12)),
  entry('gpt-4-turbo', p(10, 30)),
  entry('gpt-4', p(30, 60)),
  entry('gpt-3.5-turbo', p(0.5, 1.5)),
  entry('o1', p(15, 60, 7.5)),
  entry('o1-mini', p(1.1, 4.4, 0.55)),
  entry('o1-pro', p(150, 600)),
  entry('o3', p(10, 40, 2.5)),
  entry('o3', p(2, 8, 0.5), '2025-06-10'),
  entry('o3-mini', p(1.1, 4.4, 0.55)),
  entry('o3-pro', p(20, 80)),
  entry('o4-mini', p(1.1, 4.4, 0.275)),
  entry('text-embedding-3-small', p(0.02, 0)),
  entry('text-embedding-3-large', p(0.13, 0)),
  entry('text-embedding-ada-002', p(0.1, 0)),

  // Anthropic: base input, output, cache hits, 5-minute cache writes
  entry('claude-opus-4-5', p(5, 25, 0.5, 6.25)),
  entry('claude-opus-4-1', p(15, 75, 1.5, 18.75)),
  entry('claude-opus-4', p(15, 75, 1.5, 18.75)),
  entry('claude-sonnet-4-5', p(3, 15, 0.3, 3.75)),
  entry('claude-sonnet-4', p(3, 15, 0.3, 3.75)),
  entry('claude-3-7-sonnet', p(3, 15, 0.3, 3.75)),
  entry('claude-3-5-sonnet', p(3, 15, 0.3, 3.75)),
  entry('claude-haiku-4-5', p(1, 5, 0.1, 1.25)),
  entry('claude-3-5-haiku', p(0.8, 4, 0.08, 1)),
  entry('claude-3-opus', p(15, 75, 1.5, 18.75)),
  entry('claude-3-haiku', p(0.25, 1.25, 0.03, 0.3)),

  // Google Gemini (text input; output includes thinking)
  entry('gemini-2.5-pro', p(1.25, 10)),
  entry('gemini-2.5-flash', p(0.3, 2.5)),
  entry('gemini-2.5-flash-lite', p(0.1, 0.4)),
  entry('gemini-2.0-flash', p(0.1, 0.4, 0.025)),
  entry('gemini-2.0-flash-lite', p(0.075, 0.3)),

  // Mistral, Groq, DeepSeek
  entry('mistral-large', p(2, 6)),
  entry('mistral-medium', p(0.4, 2)),
  entry('mistral-small', p(0.1, 0.3)),
  entry('codestral', p(0.3, 0.9)),
  entry('llama-3.3-70b-versatile', p(0.59, 0.79)),
  entry('llama-3.1-8b-instant', p(0.05, 0.08)),
  entry('deepseek-chat', p(0.28, 0.42, 0.028)),
  entry('deepseek-reasoner', p(0.28, 0.42, 0.028)),
];
