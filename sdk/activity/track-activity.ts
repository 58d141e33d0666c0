/**
 * Custom activities, the seeds' `action` / `resource_type` / `resource_id` / `details`: one span each,
 * activity.kind = custom, attributed to the current request's user and client.
 */
import { context, diag, SpanKind, type Attributes } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_ACTION,
  ATTR_ACTIVITY_DETAILS,
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_RESOURCE_ID,
  ATTR_ACTIVITY_RESOURCE_TYPE,
  ATTR_SESSION_ID,
  ATTR_USER_ID,
} from '../attributes';
import { getRuntime } from '../runtime/activity-runtime';
import { activityCounters } from '../runtime/activity-stats';
import { currentRequestState } from '../runtime/request-state';
import { addIdentityAttributes } from './identity-attributes';

export interface TrackActivityOptions {
  /** What was done: `project.create`, `invoice.download` … */
  readonly action: string;
  readonly resourceType?: string;
  readonly resourceId?: string | number;
  /** Anything JSON-serialisable; stored as JSON text (capped at attributeMaxLength). */
  readonly details?: unknown;
  /** Default: the current request's user. */
  readonly userId?: string;
  readonly sessionId?: string;
}

function detailsJson(details: unknown): string | undefined {
  if (details === undefined) return undefined;
  try {
    return typeof details === 'string' ? details : JSON.stringify(details);
  } catch (error) {
    diag.warn(`otel-activity: trackActivity details are not JSON-serialisable (${(error as Error).message}); stored as text`);
    return String(details);
  }
}

export function trackActivity(options: TrackActivityOptions): void {
  if (typeof options?.action !== 'string' || options.action === '') {
    diag.warn('otel-activity: trackActivity() needs a non-empty action; nothing recorded');
    return;
  }
  const runtime = getRuntime();
  const attributes: Attributes = { [ATTR_ACTIVITY_KIND]: 'custom', [ATTR_ACTIVITY_ACTION]: options.action };
  if (options.resourceType) attributes[ATTR_ACTIVITY_RESOURCE_TYPE] = options.resourceType;
  if (options.resourceId !== undefined && options.resourceId !== null) attributes[ATTR_ACTIVITY_RESOURCE_ID] = String(options.resourceId);
  const details = detailsJson(options.details);
  if (details !== undefined) attributes[ATTR_ACTIVITY_DETAILS] = details;
  if (options.userId) attributes[ATTR_USER_ID] = options.userId;
  if (options.sessionId) attributes[ATTR_SESSION_ID] = options.sessionId;
  addIdentityAttributes(attributes, currentRequestState(), runtime, true);
  runtime.tracer.startSpan(`activity ${options.action}`, { kind: SpanKind.INTERNAL, attributes }, context.active()).end();
  activityCounters().customActivities++;
}
