// Which service a call goes to: by host (exact or *.suffix), port and path prefix, the most specific entry first.
import { describe, expect, it } from 'vitest';
import { providerOfService } from '../sdk/external/llm-providers';
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
