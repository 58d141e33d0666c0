/**
 * Names the external service behind a call: built-in defaults for common AI and backend APIs, merged under the
 * config's `externalServices`, whose keys are a host (exact or `*.suffix`), optionally with a port and a path
 * prefix (`127.0.0.1:4000` → litellm, `openrouter.ai/api` → openrouter); an unknown host is its own name.
 */

export const DEFAULT_EXTERNAL_SERVICES: Readonly<Record<string, string>> = {
  'api.openai.com': 'openai',
  '*.openai.azure.com': 'azure.openai',
  'generativelanguage.googleapis.com': 'gemini',
  '*-aiplatform.googleapis.com': 'vertex_ai',
  'api.anthropic.com': 'anthropic',
  'api.mistral.ai': 'mistral',
  'api.groq.com': 'groq',
  'openrouter.ai/api': 'openrouter',
  'api.together.xyz': 'together',
  'api.together.ai': 'together',
  'api.deepseek.com': 'deepseek',
  'api.fireworks.ai': 'fireworks',
  'api.x.ai': 'xai',
  'api.perplexity.ai': 'perplexity',
  'api.cohere.com': 'cohere',
  'api.cohere.ai': 'cohere',
  // Ollama's default port is its own; LiteLLM's (4000) is every other dev server's too, so map that one in config.
  'localhost:11434': 'ollama',
  '127.0.0.1:11434': 'ollama',
  '*.supabase.co': 'supabase',
  'api.brightdata.com': 'brightdata',
};

/** The service for a host, and for the call's URL when there is one (its port and path pick among entries). */
export type ServiceResolver = (host: string, url?: unknown) => string;

interface Rule {
  /** Exact host, or the suffix after `*` (`.supabase.co`, `-aiplatform.googleapis.com`). */
  readonly host: string;
  readonly wildcard: boolean;
  readonly port: string | undefined;
  /** '' for none; else starts with `/`, matched on whole path segments. */
  readonly path: string;
  readonly service: string;
}

const KEY_RE = /^(\*?[^:/]*)(?::(\d{1,5}))?(\/.*)?$/;

function parseRule(key: string, service: string): Rule | undefined {
  const match = KEY_RE.exec(key.trim().toLowerCase());
  if (match === null || match[1] === '' || match[1] === '*') return undefined;
  const wildcard = match[1].startsWith('*');
  return { host: wildcard ? match[1].slice(1) : match[1], wildcard, port: match[2], path: (match[3] ?? '').replace(/\/+$/, ''), service };
}

/** More specific first: a path prefix, then a port, then an exact host, then the longer suffix. */
function specificity(rule: Rule): number {
  return rule.path.length * 1_000_000 + (rule.port === undefined ? 0 : 100_000) + (rule.wildcard ? rule.host.length : 50_000);
}

function urlParts(url: unknown): { port: string; path: string } {
  if (typeof url !== 'string' || url === '') return { port: '', path: '' };
  try {
    const parsed = new URL(url);
    return { port: parsed.port || (parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : ''), path: parsed.pathname.toLowerCase() };
  } catch {
    return { port: '', path: '' };
  }
}

export function createServiceMap(extra: Readonly<Record<string, string>> = {}): ServiceResolver {
  const rules: Rule[] = [];
  for (const [key, service] of Object.entries({ ...DEFAULT_EXTERNAL_SERVICES, ...extra })) {
    const rule = parseRule(key, service);
    if (rule !== undefined) rules.push(rule);
  }
  rules.sort((a, b) => specificity(b) - specificity(a));
  // Per host: the rules that can apply to it (most are none or one), so a call only walks those.
  const byHost = new Map<string, Rule[]>();
  const rulesOf = (host: string): Rule[] => {
    let list = byHost.get(host);
    if (list === undefined) {
      list = rules.filter((r) => (r.wildcard ? host.endsWith(r.host) : host === r.host));
      if (byHost.size < 1000) byHost.set(host, list);
    }
    return list;
  };
  return (host, url) => {
    const lower = host.toLowerCase();
    const candidates = rulesOf(lower);
    if (candidates.length === 0) return lower;
    const needsUrl = candidates.some((r) => r.port !== undefined || r.path !== '');
    const { port, path } = needsUrl ? urlParts(url) : { port: '', path: '' };
    for (const rule of candidates) {
      if (rule.port !== undefined && rule.port !== port) continue;
      if (rule.path !== '' && path !== rule.path && !path.startsWith(`${rule.path}/`)) continue;
      return rule.service;
    }
    return lower;
  };
}
