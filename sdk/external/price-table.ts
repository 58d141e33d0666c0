/**
 * Model name → price in force at a time: the built-in list (model-prices.ts) under the config's `modelPrices`.
 * Names match anchored: exactly, or with a snapshot suffix (-2024-08-06, -20250514, @20241022, -0613, -001,
 * -latest) and a provider prefix (openai/, models/); a config key ending in `*` matches as a prefix.
 */
import type { ModelPrice } from '../config/config-types';
import { BUILT_IN_PRICES, type ModelPriceEntry } from './model-prices';
import { costOfUsage } from './token-usage';
import { boundedMemo } from '../runtime/bounded-memo';

/** The price of `model` on the day of `atMs` (default now); undefined for an unknown model. */
export type PriceLookup = (model: string, atMs?: number) => ModelPrice | undefined;

/** A snapshot of a model is still that model; anything else after its name (-mini, -pro, -tts) is another one. */
const SNAPSHOT_SUFFIX = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-\d{4}|-\d{3}|-latest)$/;

interface Priced {
  readonly validFromMs: number;
  readonly price: ModelPrice;
}

/** Entries newest first, so the first one not after the call's day is the one in force. */
function byModel(entries: readonly ModelPriceEntry[]): Map<string, Priced[]> {
  const map = new Map<string, Priced[]>();
  for (const { model, validFrom, price } of entries) {
    const list = map.get(model.toLowerCase()) ?? [];
    list.push({ validFromMs: Date.parse(`${validFrom}T00:00:00Z`), price });
    list.sort((a, b) => b.validFromMs - a.validFromMs);
    map.set(model.toLowerCase(), list);
  }
  return map;
}

/** `extra` (from config) replaces built-in entries of the same name at every date; a key may end in `*` (prefix). */
export function createPriceTable(extra: Readonly<Record<string, ModelPrice>> = {}): PriceLookup {
  const exact = byModel(BUILT_IN_PRICES);
  const prefixes: Array<[string, ModelPrice]> = [];
  for (const [key, price] of Object.entries(extra)) {
    const name = key.toLowerCase();
    if (name.endsWith('*')) prefixes.push([name.slice(0, -1), price]);
    else exact.set(name, [{ validFromMs: 0, price }]);
  }
  prefixes.sort((a, b) => b[0].length - a[0].length);

  const resolve = (model: string): Priced[] | ModelPrice | null => {
    let name = model.toLowerCase();
    // "openai/gpt-4o", "models/gemini-2.5-pro": the provider prefix is not part of the model's name.
    const slash = name.lastIndexOf('/');
    if (slash !== -1) name = name.slice(slash + 1);
    const found = exact.get(name) ?? exact.get(name.replace(SNAPSHOT_SUFFIX, ''));
    if (found !== undefined) return found;
    for (const [prefix, price] of prefixes) if (name.startsWith(prefix)) return price;
    return null;
  };

  const resolved = boundedMemo(1000, resolve);
  return (model, atMs = Date.now()) => {
    const hit = resolved(model);
    if (hit === null) return undefined;
    if (!Array.isArray(hit)) return hit;
    return (hit.find((entry) => entry.validFromMs <= atMs) ?? hit[hit.length - 1]).price;
  };
}

/** USD for plain input/output counts, rounded to 1e-9 (see costOfUsage for cached and reasoning tokens). */
export function costUsd(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  return costOfUsage(price, { inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
}
