/**
 * The route template a framework matched, read from the request object at the end of the request. Express (4 and
 * 5) leaves the matched route on `req.route` and the mount path in `req.baseUrl`, which costs nothing to read,
 * unlike instrumentation-express, which wraps every layer (and whose current release needs a newer OTel API).
 */
import type { IncomingMessage } from 'node:http';

interface ExpressLikeRequest extends IncomingMessage {
  readonly route?: { readonly path?: unknown };
  readonly baseUrl?: unknown;
}

/** `/api` + `/users/:id` → `/api/users/:id`; undefined when no framework matched a route with a string path. */
export function frameworkRoute(request: IncomingMessage): string | undefined {
  const { route, baseUrl } = request as ExpressLikeRequest;
  if (route === undefined || route === null || typeof route.path !== 'string') return undefined;
  return typeof baseUrl === 'string' && baseUrl !== '' ? `${baseUrl}${route.path === '/' ? '' : route.path}` : route.path;
}
