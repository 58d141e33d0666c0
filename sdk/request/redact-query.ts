/**
 * Replaces the values of sensitive query parameters (token, password, key …) with REDACTED, keeping the rest
 * of the query string byte for byte so it stays readable.
 */

export const REDACTED = 'REDACTED';

export type QueryRedactor = (query: string) => string;

/** Builds a redactor for these parameter names (case-insensitive), compiled once. */
export function createQueryRedactor(names: readonly string[]): QueryRedactor {
  const sensitive = new Set(names.map((n) => n.toLowerCase()));
  if (sensitive.size === 0) return (query) => query;
  // One regex test rules out the common query with no sensitive name (encoded names take the slow path).
  const quick = new RegExp(`(?:^|&)(?:${[...sensitive].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})=`, 'i');
  return (query) => {
    if (query.length === 0) return query;
    if (!query.includes('%') && !query.includes('+') && !quick.test(query)) return query;
    const parts = query.split('&');
    let changed = false;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const eq = part.indexOf('=');
      const rawName = eq === -1 ? part : part.slice(0, eq);
      let name: string;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' ')).toLowerCase();
      } catch {
        name = rawName.toLowerCase();
      }
      if (sensitive.has(name) && eq !== -1 && eq < part.length - 1) {
        parts[i] = `${rawName}=${REDACTED}`;
        changed = true;
      }
    }
    return changed ? parts.join('&') : query;
  };
}

/** Redacts the query part of a path or URL (`/cb?code=abc` → `/cb?code=REDACTED`); the fragment is dropped. */
export function redactUrl(url: string, redact: QueryRedactor): string {
  const hash = url.indexOf('#');
  if (hash !== -1) url = url.slice(0, hash);
  const q = url.indexOf('?');
  if (q === -1) return url;
  return `${url.slice(0, q + 1)}${redact(url.slice(q + 1))}`;
}
