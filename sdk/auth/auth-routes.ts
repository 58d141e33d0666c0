/**
 * Declarative auth routes: `{"POST /api/users/login": "login"}` makes every matching request an auth event,
 * successful when the status is below 400; a failed login becomes `login_failed`. Compiled once.
 */
import type { AuthEvent } from '../attributes';

export type AuthRouteMatcher = (method: string, path: string) => AuthEvent | undefined;

/** The event to record for a request to an auth route that ended with this status. */
export function authEventForStatus(event: AuthEvent, status: number): { event: AuthEvent; success: boolean } {
  const success = status > 0 && status < 400;
  return { event: !success && event === 'login' ? 'login_failed' : event, success };
}

/** Keys may use `:param` segments (`POST /api/orgs/:org/login`) and a trailing `*`. */
export function compileAuthRoutes(routes: Readonly<Record<string, string>>): AuthRouteMatcher {
  const exact = new Map<string, AuthEvent>();
  const patterns: Array<{ method: string; pattern: RegExp; event: AuthEvent }> = [];
  for (const [key, event] of Object.entries(routes)) {
    const space = key.indexOf(' ');
    const method = key.slice(0, space).toUpperCase();
    let path = key.slice(space + 1);
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    if (!path.includes(':') && !path.includes('*')) {
      exact.set(`${method} ${path}`, event as AuthEvent);
      continue;
    }
    const body = path
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    patterns.push({ method, pattern: new RegExp(`^${body}/?$`), event: event as AuthEvent });
  }
  if (exact.size === 0 && patterns.length === 0) return () => undefined;
  return (method, path) => {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const hit = exact.get(`${method} ${trimmed}`);
    if (hit !== undefined) return hit;
    for (const p of patterns) if (p.method === method && p.pattern.test(path)) return p.event;
    return undefined;
  };
}
