/**
 * Counters of what the SDK did that is otherwise invisible: hook errors, spans sampled out or filtered,
 * auth events and external calls recorded. Read with `getActivityStats()`.
 */

export interface ActivityStats {
  /** User hooks (identify, …) that threw; the request went on without them. */
  hookErrors: number;
  /** Successful access spans dropped by sampleRate. */
  sampledOut: number;
  /** Access spans dropped by authenticatedOnly. */
  unauthenticatedDropped: number;
  /** Spans that carry no activity (framework internals) and are not exported. */
  nonActivityDropped: number;
  /** Spans handed to the exporter's batch processor. */
  exported: number;
  authEvents: number;
  externalCalls: number;
  customActivities: number;
  /** Access spans whose new route was past maxRoutes distinct routes, stored as route `(other)`. */
  routesFolded: number;
}

const stats: ActivityStats = {
  hookErrors: 0,
  sampledOut: 0,
  unauthenticatedDropped: 0,
  nonActivityDropped: 0,
  exported: 0,
  authEvents: 0,
  externalCalls: 0,
  customActivities: 0,
  routesFolded: 0,
};

/** The live counters (mutable, module-level: one SDK per process). */
export function activityCounters(): ActivityStats {
  return stats;
}

/** A snapshot copy of the counters. */
export function getActivityStats(): Readonly<ActivityStats> {
  return { ...stats };
}

export function resetActivityStats(): void {
  for (const key of Object.keys(stats) as Array<keyof ActivityStats>) stats[key] = 0;
}
