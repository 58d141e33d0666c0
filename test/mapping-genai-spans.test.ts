// GenAI client spans from other instrumentations (OpenLLMetry, the OTel GenAI instrumentations), as they arrive by
// OTLP with no activity.kind: external rows named for their provider, priced at the call's own time from their
// gen_ai.usage.* counts; a model nobody can price is NULL, and an explicit activity.cost.usd wins.
import { describe, expect, it } from 'vitest';
import type { ActivitySpan, Attributes } from '../sdk/activity-span';
import { spanToRow } from '../exporter/rows/span-to-row';

function genAiSpan(attributes: Attributes, startTimeMs = Date.parse('2026-11-20T10:00:00Z')): ActivitySpan {
  return {
    traceId: 'a'.repeat(32),
    spanId: 'b'.repeat(16),
    parentSpanId: 'c'.repeat(16),
    name: 'chat gpt-4o-mini',
    kind: 2,
    startTimeMs,
    durationMs: 812,
    statusCode: 0,
    statusMessage: '',
    attributes,
    resource: { 'service.name': 'rag-api' },
    events: [],
  };
}

describe('GenAI client spans by OTLP', () => {
  it('map to external_calls with provider, tokens and a cost from the built-in prices', () => {
    const routed = spanToRow(genAiSpan({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      // OTLP JSON's int64 arrives as text
      'gen_ai.usage.input_tokens': '1200',
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 1000,
      'user.id': 'u-7',
    }));
    expect(routed?.table).toBe('external_calls');
    expect(routed?.row).toMatchObject({
      provider: 'openai',
      call_kind: 'llm',
      model: 'gpt-4o-mini',
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_tokens: 1000,
      // (200 × 0.15 + 1000 × 0.075 + 300 × 0.6) / 1M
      cost_usd: 0.000285,
      user_id: 'u-7',
      duration_ms: 812,
    });
  });

  it('take the deprecated gen_ai.system, and price at the price in force on the call day', () => {
    const before = spanToRow(genAiSpan({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'o3', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 1000 }, Date.parse('2025-05-01T00:00:00Z')));
    const after = spanToRow(genAiSpan({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'o3', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 1000 }, Date.parse('2025-07-01T00:00:00Z')));
    expect(before?.row).toMatchObject({ provider: 'openai', cost_usd: 0.05 });
    expect(after?.row).toMatchObject({ provider: 'openai', cost_usd: 0.01 });
  });

  it('leave an unknown model unpriced (NULL), and keep an explicit cost', () => {
    expect(spanToRow(genAiSpan({ 'gen_ai.provider.name': 'acme', 'gen_ai.request.model': 'acme-7b', 'gen_ai.usage.input_tokens': 10 }))?.row).toMatchObject({ cost_usd: null, call_kind: 'llm' });
    expect(spanToRow(genAiSpan({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10, 'activity.cost.usd': 0.5 }))?.row).toMatchObject({ cost_usd: 0.5 });
  });

  it('are not confused with other CLIENT spans', () => {
    expect(spanToRow(genAiSpan({ 'db.system': 'postgresql' }))).toBeUndefined();
  });
});
