// Which service a call goes to: by host (exact or *.suffix), port and path prefix, the most specific entry first.
import { describe, expect, it } from 'vitest';
import { providerOfService } from '../sdk/external/llm-providers';
import { isLlmEndpointPath } from '../sdk/external/response-usage-capture';
import { createServiceMap } from '../sdk/external/service-map';

describe('service map', () => {
  const serviceOf = createServiceMap({
    '127.0.0.1:4000': 'litellm',
    'gateway.internal/openai': 'openai-gateway',
    'gateway.internal:8443/anthropic': 'anthropic-gateway',
    '*.eu.supabase.co': 'supabase-eu',
  });

  it('knows the providers by their default hosts', () => {
    expect(serviceOf('api.openai.com')).toBe('openai');
    expect(serviceOf('my-resource.openai.azure.com')).toBe('azure.openai');
    expect(serviceOf('us-central1-aiplatform.googleapis.com')).toBe('vertex_ai');
    expect(serviceOf('API.Anthropic.com')).toBe('anthropic');
    expect(serviceOf('api.deepseek.com')).toBe('deepseek');
    expect(serviceOf('abcd.supabase.co')).toBe('supabase');
    expect(serviceOf('x.eu.supabase.co')).toBe('supabase-eu');
    expect(serviceOf('example.org')).toBe('example.org');
  });

  it('tells apart calls to one host by port and path prefix', () => {
    expect(serviceOf('127.0.0.1', 'http://127.0.0.1:4000/v1/chat/completions')).toBe('litellm');
    expect(serviceOf('127.0.0.1', 'http://127.0.0.1:5432/')).toBe('127.0.0.1');
    expect(serviceOf('127.0.0.1')).toBe('127.0.0.1');
    expect(serviceOf('openrouter.ai', 'https://openrouter.ai/api/v1/chat/completions')).toBe('openrouter');
    expect(serviceOf('openrouter.ai', 'https://openrouter.ai/docs')).toBe('openrouter.ai');
    expect(serviceOf('gateway.internal', 'https://gateway.internal/openai/v1/responses')).toBe('openai-gateway');
    // Path prefixes match whole segments.
    expect(serviceOf('gateway.internal', 'https://gateway.internal/openaix/v1')).toBe('gateway.internal');
    expect(serviceOf('gateway.internal', 'https://gateway.internal:8443/anthropic/v1/messages')).toBe('anthropic-gateway');
    expect(serviceOf('gateway.internal', 'https://gateway.internal/anthropic/v1/messages')).toBe('gateway.internal');
    expect(serviceOf('localhost', 'http://localhost:11434/api/chat')).toBe('ollama');
  });

  it('names the semantic-convention provider of the model APIs', () => {
    expect(providerOfService('azure.openai')).toBe('azure.ai.openai');
    expect(providerOfService('vertex_ai')).toBe('gcp.vertex_ai');
    expect(providerOfService('litellm')).toBe('litellm');
    expect(providerOfService('supabase')).toBeUndefined();
  });
});

describe('which responses are read for usage', () => {
  it('reads the LLM endpoints of every provider and OpenAI-compatible server, on any host', () => {
    for (const path of [
      '/v1/chat/completions',
      '/chat/completions',
      '/api/v1/chat/completions',
      '/openai/v1/chat/completions',
      '/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21',
      '/openai/deployments/emb/embeddings?api-version=2024-10-21',
      '/v1/responses',
      '/openai/v1/responses',
      '/v1/embeddings',
      '/v1/completions',
      '/v1/messages',
      '/v1beta/models/gemini-2.5-flash:generateContent',
      '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent',
      'https://api.openai.com/v1/chat/completions',
    ]) expect([path, isLlmEndpointPath(path)]).toEqual([path, true]);
  });

  it('leaves every other call alone, also ones whose path ends in the same word', () => {
    for (const path of ['/forms/7/responses', '/api/messages', '/search/embeddings', '/v1/responses/resp_123', '/v1/models', '/v1/chat/completions/extra', '/', '']) {
      expect([path, isLlmEndpointPath(path)]).toEqual([path, false]);
    }
  });
});
