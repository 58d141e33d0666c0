/**
 * The bound on distinct `http.route` values per service: routes are a reporting dimension, so a path that slips
 * through as a template (a slug the heuristic cannot see) must not grow tables and dashboards without end. Past
 * `maxRoutes` distinct values, a new one becomes OVERFLOW_ROUTE and is counted (getActivityStats().routesFolded).
 */
import { activityCounters } from '../runtime/activity-stats';

/** What a route past the bound becomes; not a path, so it cannot collide with a real route. */
export const OVERFLOW_ROUTE = '(other)';

export type RouteLimit = (route: string) => string;

/** `maxRoutes` 0 means no bound. */
export function createRouteLimit(maxRoutes: number): RouteLimit {
  if (maxRoutes === 0) return (route) => route;
  const seen = new Set<string>();
  return (route) => {
    if (seen.has(route)) return route;
    if (seen.size < maxRoutes) {
      seen.add(route);
      return route;
    }
    activityCounters().routesFolded++;
    return OVERFLOW_ROUTE;
  };
}
