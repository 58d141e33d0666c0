/**
 * Names the external service behind a host: built-in defaults for common AI and backend APIs, merged under the
 * config's `externalServices` (exact host or `*.suffix`); an unknown host is its own name.
 */

export const DEFAULT_EXTERNAL_SERVICES: Readonly<Record<string, string>> = {
  'api.openai.com': 'openai',
  'generativelanguage.googleapis.com': 'gemini',
  'api.anthropic.com': 'anthropic',
  '*.supabase.co': 'supabase',
  'api.brightdata.com': 'brightdata',
  'api.mistral.ai': 'mistral',
  'api.groq.com': 'groq',
};

export type ServiceResolver = (host: string) => string;

export function createServiceMap(extra: Readonly<Record<string, string>> = {}): ServiceResolver {
  const merged = { ...DEFAULT_EXTERNAL_SERVICES, ...extra };
  const exact = new Map<string, string>();
  // Longest suffix first, so `*.eu.example.com` wins over `*.example.com`.
  const suffixes: Array<[string, string]> = [];
  for (const [host, service] of Object.entries(merged)) {
    if (host.startsWith('*.')) suffixes.push([host.slice(1).toLowerCase(), service]);
    else exact.set(host.toLowerCase(), service);
  }
  suffixes.sort((a, b) => b[0].length - a[0].length);
  const cache = new Map<string, string>();
  return (host) => {
    const hit = cache.get(host);
    if (hit !== undefined) return hit;
    const lower = host.toLowerCase();
    let service = exact.get(lower);
    if (service === undefined) {
      for (const [suffix, name] of suffixes) {
        if (lower.endsWith(suffix)) {
          service = name;
          break;
        }
      }
    }
    service ??= lower;
    if (cache.size < 1000) cache.set(host, service);
    return service;
  };
}
