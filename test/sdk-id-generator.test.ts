// The pooled id generator: W3C-valid ids (lowercase hex, right length, never all zero), no repeats across pool refills.
import { describe, expect, it } from 'vitest';
import { PooledIdGenerator } from '../sdk/setup/id-generator';

describe('PooledIdGenerator', () => {
  it('hands out distinct 32- and 16-character hex ids across many pool refills', () => {
    const ids = new PooledIdGenerator();
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const traceId = ids.generateTraceId();
      const spanId = ids.generateSpanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(/^0+$/.test(traceId) || /^0+$/.test(spanId)).toBe(false);
      traceIds.add(traceId);
      spanIds.add(spanId);
    }
    expect(traceIds.size).toBe(20_000);
    expect(spanIds.size).toBe(20_000);
  });
});
