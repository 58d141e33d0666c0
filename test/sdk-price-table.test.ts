// The price table: anchored names (a model is never priced as another whose name it starts with), snapshots and
// provider prefixes, the price in force on the call's day, config prices with cached/cache-write/reasoning parts,
// and the cost arithmetic to the nano-dollar.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../sdk/config/config-loader';
import { BUILT_IN_PRICES } from '../sdk/external/model-prices';
import { createPriceTable } from '../sdk/external/price-table';
import { costOfUsage } from '../sdk/external/token-usage';

const priceOf = createPriceTable();
const inputOf = (model: string, at?: number): number | undefined => priceOf(model, at)?.inputPerMillion;

describe('model names match anchored', () => {
  it('never prices a model as another one whose name it starts with', () => {
    expect(inputOf('o3-mini')).toBe(1.1);
    expect(inputOf('o3-pro')).toBe(20);
    expect(inputOf('o3')).toBe(2);
    expect(inputOf('gpt-5-pro')).toBe(15);
    expect(inputOf('gpt-5')).toBe(1.25);
    expect(priceOf('gpt-4o-mini-tts')).toEqual({ inputPerMillion: 0.6, outputPerMillion: 12 });
    expect(inputOf('gpt-4o-mini')).toBe(0.15);
    expect(inputOf('gpt-4o')).toBe(2.5);
    expect(inputOf('claude-3-5-haiku')).toBe(0.8);
    expect(inputOf('claude-haiku-4-5')).toBe(1);
  });

  it('prices the models the prefix table missed', () => {
    expect(priceOf('o1')).toEqual({ inputPerMillion: 15, outputPerMillion: 60, cachedInputPerMillion: 7.5 });
    expect(priceOf('gpt-4-turbo')).toEqual({ inputPerMillion: 10, outputPerMillion: 30 });
    expect(priceOf('text-embedding-ada-002')).toEqual({ inputPerMillion: 0.1, outputPerMillion: 0 });
  });

  it('prices snapshots and provider-prefixed names as their model, and nothing else', () => {
    expect(inputOf('gpt-4o-2024-08-06')).toBe(2.5);
    expect(inputOf('gpt-4o-mini-2024-07-18')).toBe(0.15);
    expect(inputOf('gpt-4-0613')).toBe(30);
    expect(inputOf('claude-sonnet-4-20250514')).toBe(3);
    expect(inputOf('claude-opus-4-1-20250805')).toBe(15);
    expect(inputOf('claude-3-5-haiku@20241022')).toBe(0.8);
    expect(inputOf('claude-3-7-sonnet-latest')).toBe(3);
    expect(inputOf('gemini-2.0-flash-001')).toBe(0.1);
    expect(inputOf('models/gemini-2.5-pro')).toBe(1.25);
    expect(inputOf('openai/gpt-4.1-mini')).toBe(0.4);
    expect(inputOf('mistral-large-2411')).toBe(2);
    expect(inputOf('gpt-4o-mini-search-preview')).toBeUndefined();
    expect(inputOf('o3-mini-high')).toBeUndefined();
    expect(inputOf('gpt-5-codex-mini')).toBeUndefined();
    expect(inputOf('my-llama')).toBeUndefined();
  });

  it('uses the price in force on the day of the call (o3 before and after its 2025-06-10 cut)', () => {
    expect(priceOf('o3-2025-04-16', Date.parse('2025-05-01T12:00:00Z'))).toEqual({ inputPerMillion: 10, outputPerMillion: 40, cachedInputPerMillion: 2.5 });
    expect(priceOf('o3', Date.parse('2025-06-10T00:00:00Z'))).toEqual({ inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 });
  });

  it('has one price per model and day, every part a finite non-negative USD amount', () => {
    const seen = new Set<string>();
    for (const { model, validFrom, price } of BUILT_IN_PRICES) {
      expect(seen.has(`${model}@${validFrom}`)).toBe(false);
      seen.add(`${model}@${validFrom}`);
      expect(validFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      for (const usd of Object.values(price)) expect(Number.isFinite(usd) && usd >= 0).toBe(true);
    }
  });
});

describe('config prices', () => {
  it('OTEL_ACTIVITY_MODEL_PRICES takes cached, cache-write and reasoning prices and overrides the built-in one', () => {
    const config = loadConfig({
      env: {
        OTEL_ACTIVITY_MODEL_PRICES: JSON.stringify({
          'gpt-4o-mini': { inputPerMillion: 0.2, outputPerMillion: 0.8, cachedInputPerMillion: 0.1 },
          'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75, reasoningPerMillion: 15 },
          'local-*': { inputPerMillion: 0, outputPerMillion: 0 },
        }),
      },
    });
    const table = createPriceTable(config.sdk.modelPrices);
    expect(table('gpt-4o-mini-2024-07-18')).toEqual({ inputPerMillion: 0.2, outputPerMillion: 0.8, cachedInputPerMillion: 0.1 });
    expect(table('claude-sonnet-4')?.cacheWritePerMillion).toBe(3.75);
    expect(table('local-qwen-7b')).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
  });

  it('names the bad key and value of a price it cannot take', () => {
    expect(() => loadConfig({ env: { OTEL_ACTIVITY_MODEL_PRICES: JSON.stringify({ m: { inputPerMillion: 1, outputPerMillion: 2, cachedPerMillion: 0.5 } }) } })).toThrow(/OTEL_ACTIVITY_MODEL_PRICES/);
    expect(() => loadConfig({ env: { OTEL_ACTIVITY_MODEL_PRICES: JSON.stringify({ m: { inputPerMillion: 1, outputPerMillion: 2, cachedInputPerMillion: -1 } }) } })).toThrow(/OTEL_ACTIVITY_MODEL_PRICES/);
  });
});

describe('cost', () => {
  const gpt4oMini = priceOf('gpt-4o-mini');
  it('prices cached input at the cached price: 1000 of 1200 input tokens cached on gpt-4o-mini', () => {
    // (200 × 0.15 + 1000 × 0.075 + 100 × 0.6) / 1M = $0.000165; all 1200 at the input price it was $0.00024
    expect(costOfUsage(gpt4oMini!, { inputTokens: 1200, outputTokens: 100, cacheReadTokens: 1000, cacheWriteTokens: 0, reasoningTokens: 0 })).toBe(0.000165);
  });

  it("prices Anthropic's cache reads and writes: 2000 read and 1000 written of 3200 on claude-sonnet-4", () => {
    const price = priceOf('claude-sonnet-4-20250514')!;
    expect(costOfUsage(price, { inputTokens: 3200, outputTokens: 503, cacheReadTokens: 2000, cacheWriteTokens: 1000, reasoningTokens: 0 })).toBe(0.012495);
  });

  it('prices reasoning tokens at their own price when one is set, else as output', () => {
    const base = { inputPerMillion: 1, outputPerMillion: 4 };
    const usage = { inputTokens: 0, outputTokens: 1000, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 800 };
    expect(costOfUsage(base, usage)).toBe(0.004);
    expect(costOfUsage({ ...base, reasoningPerMillion: 2 }, usage)).toBe(0.0024);
  });

  it('keeps a sub-micro-dollar cost exact to the nano-dollar', () => {
    expect(costOfUsage(priceOf('text-embedding-3-small')!, { inputTokens: 8, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 })).toBe(1.6e-7);
  });

  it('never prices more cached tokens than input tokens', () => {
    expect(costOfUsage(gpt4oMini!, { inputTokens: 100, outputTokens: 0, cacheReadTokens: 500, cacheWriteTokens: 0, reasoningTokens: 0 })).toBe(0.0000075);
  });
});
