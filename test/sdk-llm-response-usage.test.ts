// Model and tokens from the head and tail of response bodies, in the shapes the providers publish, including the
// awkward ones: a tool call whose input holds a "usage" key, Gemini's JSON-array stream, bodies larger than the
// sample, a stream cut inside its usage object, and escaped model names.
import { describe, expect, it } from 'vitest';
import { usageFromResponseText } from '../sdk/external/llm-response-usage';

const whole = (body: unknown) => {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return usageFromResponseText(text, text, true);
};

describe('usage from response bodies', () => {
  it("takes Anthropic's top-level usage, not a tool input's own usage key, and adds cache reads and writes to input", () => {
    expect(whole({
      id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'report', input: { usage: { input_tokens: 999999, output_tokens: 999999 } } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 40, cache_creation_input_tokens: 0, cache_read_input_tokens: 2000, output_tokens: 80 },
    })).toEqual({ model: 'claude-sonnet-4-5-20250929', inputTokens: 2040, outputTokens: 80, cacheReadTokens: 2000, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("reads Gemini's JSON-array stream (no alt=sse): the last usageMetadata, thinking counted as output", () => {
    const chunk = (text: string, usage: object) => ({ candidates: [{ content: { parts: [{ text }], role: 'model' } }], usageMetadata: usage, modelVersion: 'gemini-2.5-pro' });
    const body = `[${JSON.stringify(chunk('a', { promptTokenCount: 12 }))},\r\n${JSON.stringify(chunk('b', { promptTokenCount: 12, candidatesTokenCount: 7, thoughtsTokenCount: 100, cachedContentTokenCount: 4 }))}]`;
    expect(whole(body)).toEqual({ model: 'gemini-2.5-pro', inputTokens: 12, outputTokens: 107, cacheReadTokens: 4, cacheWriteTokens: 0, reasoningTokens: 100 });
  });

  it('reads model from the head and usage from the tail of a body larger than the sample', () => {
    const head = '{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4.1-2025-04-14","choices":[{"message":{"content":"';
    const tail = '"}}],"usage":{"prompt_tokens":9000,"completion_tokens":4000,"prompt_tokens_details":{"cached_tokens":8192}}}';
    expect(usageFromResponseText(head, tail, false)).toEqual({ model: 'gpt-4.1-2025-04-14', inputTokens: 9000, outputTokens: 4000, cacheReadTokens: 8192, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  it("reads the Responses API's usage with cached and reasoning details", () => {
    expect(whole({ id: 'resp_1', object: 'response', model: 'o3-2025-04-16', output: [], usage: { input_tokens: 500, input_tokens_details: { cached_tokens: 256 }, output_tokens: 900, output_tokens_details: { reasoning_tokens: 640 }, total_tokens: 1400 } }))
      .toEqual({ model: 'o3-2025-04-16', inputTokens: 500, outputTokens: 900, cacheReadTokens: 256, cacheWriteTokens: 0, reasoningTokens: 640 });
  });

  it('gives nothing for a stream cut inside its usage object, an error body, or no usage at all', () => {
    expect(whole('data: {"id":"c","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":50,"completion_to')).toBeUndefined();
    expect(whole({ error: { message: 'Rate limit reached', type: 'requests' } })).toBeUndefined();
    expect(whole({ id: 'chatcmpl-1', model: 'gpt-4o', choices: [], usage: null })).toBeUndefined();
    expect(whole('<html>not json</html>')).toBeUndefined();
  });

  it('unescapes the model name and ignores negative or fractional garbage counts', () => {
    expect(whole('{"model":"my\\"model","usage":{"prompt_tokens":-5,"completion_tokens":2.6}}')).toEqual({ model: 'my"model', inputTokens: 0, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });
});
