/**
 * Model prices in USD per million input/output tokens, for cost from token counts. Built-in list prices (as
 * published by the providers in 2025; check them) merged under the config's `modelPrices`. Keys match as
 * prefixes, longest first, so dated variants (`gpt-4o-2024-08-06`) price as their family (`gpt-4o`).
 */
import type { ModelPrice } from '../config/config-types';

export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2 },
  'gpt-5-nano': { inputPerMillion: 0.05, outputPerMillion: 0.4 },
  'gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8 },
  'gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6 },
  'gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'o3': { inputPerMillion: 2, outputPerMillion: 8 },
  'o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4 },
  'text-embedding-3-small': { inputPerMillion: 0.02, outputPerMillion: 0 },
  'text-embedding-3-large': { inputPerMillion: 0.13, outputPerMillion: 0 },
  'claude-opus-4': { inputPerMillion: 15, outputPerMillion: 75 },
  'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15 },
  'claude-3-7-sonnet': { inputPerMillion: 3, outputPerMillion: 15 },
  'claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5 },
  'claude-3-5-haiku': { inputPerMillion: 0.8, outputPerMillion: 4 },
  'gemini-2.5-pro': { inputPerMillion: 1.25, outputPerMillion: 10 },
  'gemini-2.5-flash': { inputPerMillion: 0.3, outputPerMillion: 2.5 },
  'gemini-2.5-flash-lite': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'gemini-2.0-flash': { inputPerMillion: 0.1, outputPerMillion: 0.4 },
  'mistral-large': { inputPerMillion: 2, outputPerMillion: 6 },
  'mistral-small': { inputPerMillion: 0.1, outputPerMillion: 0.3 },
  'llama-3.3-70b-versatile': { inputPerMillion: 0.59, outputPerMillion: 0.79 },
};

export type PriceLookup = (model: string) => ModelPrice | undefined;

/** `extra` (from config) overrides built-in entries of the same key; a key may end in `*` (same as without). */
export function createPriceTable(extra: Readonly<Record<string, ModelPrice>> = {}): PriceLookup {
  const entries = new Map<string, ModelPrice>();
  for (const [key, price] of Object.entries(DEFAULT_MODEL_PRICES)) entries.set(key.toLowerCase(), price);
  for (const [key, price] of Object.entries(extra)) entries.set(key.replace(/\*$/, '').toLowerCase(), price);
  const keys = [...entries.keys()].sort((a, b) => b.length - a.length);
  return (model) => {
    let name = model.toLowerCase();
    // "openai/gpt-4o", "models/gemini-2.5-pro": the provider prefix is not part of the model's name.
    const slash = name.lastIndexOf('/');
    if (slash !== -1) name = name.slice(slash + 1);
    const exact = entries.get(name);
    if (exact !== undefined) return exact;
    for (const key of keys) if (name.startsWith(key)) return entries.get(key);
    return undefined;
  };
}

/** USD, rounded to 1e-9 so sums of many small costs do not drift. */
export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  const usd = (inputTokens * price.inputPerMillion + outputTokens * price.outputPerMillion) / 1_000_000;
  return Math.round(usd * 1e9) / 1e9;
}
