/**
 * The `http.route` of an access span, in order of trust: the framework's matched route, then the configured
 * templates (OTEL_ACTIVITY_ROUTES), then the id heuristic (routeTemplate); every result passes the distinct-route bound.
 */
import type { IncomingMessage } from 'node:http';
import { compileConfiguredRoutes } from './configured-routes';
import { frameworkRoute } from './framework-route';
import { createRouteLimit } from './route-limit';
import { routeTemplate } from './route-template';

export type AccessRouteResolver = (request: IncomingMessage, path: string) => string;

export function createAccessRouteResolver(options: { readonly routes: readonly string[]; readonly maxRoutes: number }): AccessRouteResolver {
  const configured = compileConfiguredRoutes(options.routes);
  const limit = createRouteLimit(options.maxRoutes);
  if (configured === undefined) return (request, path) => limit(frameworkRoute(request) ?? routeTemplate(path));
  return (request, path) => limit(frameworkRoute(request) ?? configured(path) ?? routeTemplate(path));
}
