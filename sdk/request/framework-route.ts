/**
 * The route template a framework matched, read from the request object at the end of the request: what a framework
 * hook left on it (fastify-routes.ts, koa-route-instrumentation.ts, hono-route-instrumentation.ts), else Express's
 * `req.route` and `req.baseUrl` (Express 4 and 5, and NestJS on Express), which cost nothing to read.
 */
import type { IncomingMessage } from 'node:http';

/** Reads the route from what a framework hook attached; a plain function (no closure per request). */
export type RouteReader = (source: object) => string | undefined;

// Symbols on the IncomingMessage: one string write (Fastify) or two writes (a framework context and its reader) per
// request, instead of a WeakMap entry.
const ROUTE = Symbol('otel-activity.framework-route');
const ROUTE_SOURCE = Symbol('otel-activity.framework-route-source');
const ROUTE_READER = Symbol('otel-activity.framework-route-reader');

interface FrameworkRequest extends IncomingMessage {
  [ROUTE]?: string;
  [ROUTE_SOURCE]?: object;
  [ROUTE_READER]?: RouteReader;
  readonly route?: { readonly path?: unknown };
  readonly baseUrl?: unknown;
}

/** For a framework that knows its route while the request runs (Fastify's onRequest hook). */
export function setFrameworkRoute(request: IncomingMessage, route: string): void {
  (request as FrameworkRequest)[ROUTE] = route;
}

/** For a framework whose route is known only once its router ran: `reader(source)` is called at request end. */
export function setFrameworkRouteSource(request: IncomingMessage, source: object, reader: RouteReader): void {
  (request as FrameworkRequest)[ROUTE_SOURCE] = source;
  (request as FrameworkRequest)[ROUTE_READER] = reader;
}

/** `/api` + `/users/:id` → `/api/users/:id`; undefined when no framework matched a route with a string path. */
export function frameworkRoute(request: IncomingMessage): string | undefined {
  const req = request as FrameworkRequest;
  const known = req[ROUTE];
  if (known !== undefined) return known;
  const source = req[ROUTE_SOURCE];
  if (source !== undefined) {
    const route = req[ROUTE_READER]!(source);
    if (route !== undefined) return route;
  }
  const { route, baseUrl } = req;
  if (route === undefined || route === null || typeof route.path !== 'string') return undefined;
  return typeof baseUrl === 'string' && baseUrl !== '' ? `${baseUrl}${route.path === '/' ? '' : route.path}` : route.path;
}
