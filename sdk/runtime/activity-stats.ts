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
  /** Spans the exporter confirmed sent (a 2xx from the OTLP endpoint). */
  sent: number;
  /** Spans kept in the app's buffer because the endpoint could not take them then (sent later, in order). */
  buffered: number;
  /** Spans written to the buffer as the process exited, for a detached sender or the next start to send. */
  bufferedAtExit: number;
  /** Spans lost because the buffer was full or unwritable, or the queue was past its bound. */
  bufferDropped: number;
  /** Spans the endpoint refused for good (a 4xx other than 429: a malformed or unauthorised request). */
  rejected: number;
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
  sent: 0,
  buffered: 0,
  bufferedAtExit: 0,
  bufferDropped: 0,
  rejected: 0,
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
