/**
 * Runs user-supplied hooks and callbacks so that a throw never reaches the app: it is caught, counted in
 * `hookErrors`, and reported once per hook name through OTel's diag logger.
 */
import { diag } from '@opentelemetry/api';
import { activityCounters } from './activity-stats';

const reported = new Set<string>();

export function reportHookError(name: string, error: unknown): void {
  activityCounters().hookErrors++;
  if (reported.has(name)) return;
  reported.add(name);
  diag.error(`otel-activity: the ${name} hook threw (reported once; later errors are only counted in getActivityStats().hookErrors)`, error);
}

/** Calls `fn`; on a throw returns `fallback`. */
export function guardHook<T>(name: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    reportHookError(name, error);
    return fallback;
  }
}
