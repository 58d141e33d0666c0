/**
 * Hostile arguments to the SDK's public API, as untyped JavaScript callers can pass them: undefined, null, wrong
 * types, circular and throwing objects, 10 MB strings, control characters. Recording activity must never throw into
 * the app, and what it records stays bounded (attributeMaxLength). The real SDK with an in-memory exporter.
 * Seeded (RELIABILITY_SEED).
 */
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, recordUsage, setUser, startActivityTracing, trackActivity, trackAuth, trackExternalCall, type ActivityTracing } from '../sdk';
import { seededRandom } from './helpers/otlp-sender';

const SEED = Number(process.env.RELIABILITY_SEED ?? 99);
const exporter = new InMemorySpanExporter();
let tracing: ActivityTracing;

beforeAll(() => {
  const config = loadConfig({ env: {}, overrides: { sdk: { exportMode: 'none', serviceName: 'sdk-fuzz' } } });
  tracing = startActivityTracing(config, { exporter, simpleProcessor: true, cwd: process.cwd() });
});

afterAll(async () => {
  await tracing?.shutdown();
});

const circular: Record<string, unknown> = { a: 1 };
circular.self = circular;
const throwingJson = { toJSON: () => { throw new Error('toJSON bomb'); } };
const throwingEverything = {
  toJSON: () => { throw new Error('toJSON bomb'); },
  toString: () => { throw new Error('toString bomb'); },
  valueOf: () => { throw new Error('valueOf bomb'); },
};
const HUGE = 'h'.repeat(10 * 1024 * 1024);

/** Values an untyped caller might hand to any field, down to Symbols and objects whose toString itself throws. */
function hostileValues(random: () => number): unknown[] {
  const fixed: unknown[] = [
    undefined, null, '', ' ', 0, -1, NaN, Infinity, -Infinity, 1e308, 2 ** 53 + 1, 10n ** 30n, true, false,
    [], [1, 'a', null], {}, circular, throwingJson, throwingEverything, Symbol('s'), () => 'fn', new Date(NaN),
    Object.create(null), HUGE, '\u0000\u0007\u001b[2J\r\n', "'); DROP TABLE access_log; --", '__proto__', 'login', 'signup',
  ];
  const randomString = Array.from({ length: 64 }, () => String.fromCharCode(Math.floor(random() * 0xffff))).join('');
  return [...fixed, randomString];
}

describe('SDK public API under hostile arguments', () => {
  it('never throws into the app and keeps every recorded string within attributeMaxLength', async () => {
    const random = seededRandom(SEED);
    const values = hostileValues(random);
    const pick = () => values[Math.floor(random() * values.length)];
    const threw: string[] = [];
    let made = 0;
    const attempt = async (label: string, fn: () => unknown) => {
      made++;
      try {
        await fn();
      } catch (error) {
        // trackExternalCall rethrows the wrapped function's own error by design; anything else is a bug.
        if ((error as Error)?.message !== 'app error') threw.push(`${label}: ${(error as Error)?.message ?? String(error)}`);
      }
    };
    const calls = 400;
    for (let i = 0; i < calls; i++) {
      await attempt(`trackActivity #${i}`, () => trackActivity({ action: pick(), resourceType: pick(), resourceId: pick(), details: pick(), userId: pick(), sessionId: pick() } as never));
      await attempt(`trackAuth #${i}`, () => trackAuth({ event: pick(), userId: pick(), success: pick(), method: pick(), reason: pick(), sessionId: pick() } as never));
      await attempt(`recordUsage #${i}`, () => recordUsage({ model: pick(), inputTokens: pick(), outputTokens: pick(), costUsd: pick(), service: pick() } as never));
      await attempt(`setUser #${i}`, () => setUser({ id: pick(), sessionId: pick() } as never));
      await attempt(`trackExternalCall #${i}`, () =>
        trackExternalCall({ service: pick(), model: pick() } as never, async () => {
          if (random() < 0.3) throw new Error('app error');
          recordUsage({ model: pick(), inputTokens: pick(), outputTokens: pick() } as never);
          return 1;
        }),
      );
    }
    // Whole-argument misuse.
    for (const [i, arg] of [undefined, null, 'login', 42, [], circular, throwingEverything].entries()) {
      await attempt(`trackActivity(whole argument #${i})`, () => trackActivity(arg as never));
      await attempt(`trackAuth(whole argument #${i})`, () => trackAuth(arg as never));
      await attempt(`recordUsage(whole argument #${i})`, () => recordUsage(arg as never));
      await attempt(`setUser(whole argument #${i})`, () => setUser(arg as never));
      await attempt(`trackExternalCall(whole argument #${i})`, () => trackExternalCall(arg as never, async () => 1));
    }
    // Calls end on the loop's next turn (a recordUsage right after them still lands on them).
    await new Promise((resolve) => setImmediate(resolve));
    const spans = exporter.getFinishedSpans();
    let longest = 0;
    for (const span of spans) {
      for (const value of Object.values(span.attributes)) {
        if (typeof value === 'string') longest = Math.max(longest, value.length);
      }
    }
    console.log(`[reliability] SDK fuzz (seed ${SEED}): ${made} calls, ${spans.length} spans recorded, longest string attribute ${longest}, ${threw.length} threw into the app${threw.length ? `: ${[...new Set(threw.map((t) => t.replace(/ #\d+/, '')))].slice(0, 12).join(' | ')}` : ''}`);
    expect(threw).toEqual([]);
    expect(longest).toBeLessThanOrEqual(4096);
    expect(spans.length).toBeGreaterThan(calls);
  });
});
