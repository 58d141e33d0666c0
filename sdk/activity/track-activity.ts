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
import { guardApi, optionsArg, textArg } from '../runtime/safe-args';
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

let warnedDetails = false;

function detailsJson(details: unknown, maxLength: number): string | undefined {
  if (details === undefined) return undefined;
  let text: string | undefined;
  try {
    text = typeof details === 'string' ? details : JSON.stringify(details, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
  } catch (error) {
    if (!warnedDetails) {
      warnedDetails = true;
      diag.warn(`otel-activity: trackActivity details are not JSON-serialisable (${(error as Error).message}); recorded as a marker`);
    }
    text = '"[unserializable]"';
  }
  return text === undefined ? undefined : text.length > maxLength ? text.slice(0, maxLength) : text;
}

export function trackActivity(options: TrackActivityOptions): void {
  guardApi('trackActivity', () => record(optionsArg<TrackActivityOptions>(options)), undefined);
}

function record(options: Partial<TrackActivityOptions>): void {
  const action = textArg(options.action);
  if (action === undefined) {
    diag.warn('otel-activity: trackActivity() needs a non-empty action; nothing recorded');
    return;
  }
  const runtime = getRuntime();
  const attributes: Attributes = { [ATTR_ACTIVITY_KIND]: 'custom', [ATTR_ACTIVITY_ACTION]: action };
  const resourceType = textArg(options.resourceType);
  if (resourceType !== undefined) attributes[ATTR_ACTIVITY_RESOURCE_TYPE] = resourceType;
  const resourceId = textArg(options.resourceId);
  if (resourceId !== undefined) attributes[ATTR_ACTIVITY_RESOURCE_ID] = resourceId;
  const details = detailsJson(options.details, runtime.config.attributeMaxLength);
  if (details !== undefined) attributes[ATTR_ACTIVITY_DETAILS] = details;
  const userId = textArg(options.userId);
  if (userId !== undefined) attributes[ATTR_USER_ID] = userId;
  const sessionId = textArg(options.sessionId);
  if (sessionId !== undefined) attributes[ATTR_SESSION_ID] = sessionId;
  addIdentityAttributes(attributes, currentRequestState(), runtime, true);
  runtime.tracer.startSpan(`activity ${action.length > 128 ? action.slice(0, 128) : action}`, { kind: SpanKind.INTERNAL, attributes }, context.active()).end();
  activityCounters().customActivities++;
}
