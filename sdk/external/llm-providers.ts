/**
 * gen_ai.provider.name for the external services that are model APIs (semconv values where one exists).
 */

const PROVIDERS: Readonly<Record<string, string>> = {
  openai: 'openai',
  'azure.openai': 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  vertex_ai: 'gcp.vertex_ai',
  mistral: 'mistral_ai',
  groq: 'groq',
  deepseek: 'deepseek',
  xai: 'x_ai',
  perplexity: 'perplexity',
  cohere: 'cohere',
  // No semantic-convention value: their own names.
  openrouter: 'openrouter',
  together: 'together',
  fireworks: 'fireworks',
  litellm: 'litellm',
  ollama: 'ollama',
};

export function providerOfService(service: string): string | undefined {
  return PROVIDERS[service];
}

/** A best guess of the service from a model name, for usage recorded outside any external call. */
export function serviceOfModel(model: string): string | undefined {
  const m = model.toLowerCase();
  if (/^(gpt-|o\d|text-embedding|dall-e|whisper|tts-)/.test(m)) return 'openai';
  if (m.startsWith('claude')) return 'anthropic';
  if (m.startsWith('gemini') || m.startsWith('models/gemini')) return 'gemini';
  if (/^(mistral|codestral|pixtral|ministral)/.test(m)) return 'mistral';
  return undefined;
}
