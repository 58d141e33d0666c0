/**
 * POST /v1/activities bodies → ActivitySpans: one activity object, or an array of them, from clients that do not speak
 * OTLP (a browser, a non-Node service). Each becomes the same custom-activity span trackActivity() makes, so it is
 * stored, deduplicated and reported like one. A resend of the same activity is the same span id (from the client's
 * `id`, else from the activity's own fields when it carries a timestamp), so the service stores it once.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  ATTR_ACTIVITY_ACTION,
  ATTR_ACTIVITY_DETAILS,
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_RESOURCE_ID,
  ATTR_ACTIVITY_RESOURCE_TYPE,
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SESSION_ID,
  ATTR_USER_ID,
} from 'otel-activity/contract';
import type { ActivitySpan } from 'otel-activity/contract';
import { OtlpPayloadError, type SpanRejection } from './from-otlp';

/** Activities in one request, at most: a larger batch is a sender's mistake, answered 400. */
export const MAX_ACTIVITIES_PER_REQUEST = 1000;

const FIELDS = ['id', 'user_id', 'session_id', 'action', 'resource_type', 'resource_id', 'details', 'timestamp', 'service', 'environment'] as const;
const ACTION = /^[A-Za-z0-9_.:/-]{1,128}$/;
const LIMITS: Record<string, number> = { id: 128, user_id: 256, session_id: 256, resource_type: 128, resource_id: 256, service: 128, environment: 128 };
const MAX_DETAILS = 4096;
/** A timestamp this far from now is a mistake (ms epoch read as seconds, a year typo), not an activity. */
const MAX_SKEW_MS = 400 * 86_400_000;

function hexOf(text: string, chars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

function timestampOf(value: unknown, now: number): number | string {
  if (value === undefined) return now;
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) return `timestamp must be epoch milliseconds or an ISO 8601 string, got ${JSON.stringify(value)}`;
  if (Math.abs(ms - now) > MAX_SKEW_MS) return `timestamp ${JSON.stringify(value)} is more than 400 days from now`;
  return ms;
}

/** One activity, or why it is refused. */
function activitySpan(item: unknown, now: number): ActivitySpan | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return `must be an object like {"action": "invoice.export", "user_id": "u1"}`;
  const fields = item as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) return `unknown field ${unknown.join(', ')}; the fields are ${FIELDS.join(', ')}`;
  const text: Record<string, string> = {};
  for (const [key, max] of Object.entries(LIMITS)) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') return `${key} must be a string, got ${JSON.stringify(value)}`;
    if (value.length > max) return `${key} must be at most ${max} characters, got ${value.length}`;
    text[key] = value;
  }
  const action = fields.action;
  if (typeof action !== 'string' || !ACTION.test(action)) return `action must be 1 to 128 letters, digits or _ . : / -, got ${JSON.stringify(action)}`;
  let details = '';
  if (fields.details !== undefined) {
    details = typeof fields.details === 'string' ? fields.details : JSON.stringify(fields.details);
    if (details.length > MAX_DETAILS) return `details must be at most ${MAX_DETAILS} characters as JSON, got ${details.length}`;
  }
  const time = timestampOf(fields.timestamp, now);
  if (typeof time === 'string') return time;
  if (text.service === 'otel-activity') return 'service "otel-activity" is reserved for the service\'s own audit rows; name the app';

  // Stable ids make a resend the same span: the client's id, else the activity itself when it says when it happened.
  const identity = text.id !== undefined ? `id:${text.id}` : fields.timestamp !== undefined ? `activity:${JSON.stringify(fields)}` : undefined;
  const spanId = identity === undefined ? randomBytes(8).toString('hex') : hexOf(identity, 16);
  const attributes: Record<string, string> = { [ATTR_ACTIVITY_KIND]: 'custom', [ATTR_ACTIVITY_ACTION]: action };
  if (text.user_id) attributes[ATTR_USER_ID] = text.user_id;
  if (text.session_id) attributes[ATTR_SESSION_ID] = text.session_id;
  if (text.resource_type) attributes[ATTR_ACTIVITY_RESOURCE_TYPE] = text.resource_type;
  if (text.resource_id) attributes[ATTR_ACTIVITY_RESOURCE_ID] = text.resource_id;
  if (details) attributes[ATTR_ACTIVITY_DETAILS] = details;
  const resource: Record<string, string> = { [ATTR_SERVICE_NAME]: text.service || 'unknown_service' };
  if (text.environment) resource[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] = text.environment;
  return {
    traceId: identity === undefined ? randomBytes(16).toString('hex') : hexOf(`trace:${identity}`, 32),
    spanId,
    parentSpanId: '',
    name: action,
    kind: 0,
    startTimeMs: time,
    durationMs: 0,
    statusCode: 0,
    statusMessage: '',
    attributes,
    resource,
    events: [],
  };
}

/** Throws OtlpPayloadError (a 400) for a body that is neither an activity nor an array of them. */
export function activitiesToSpans(body: unknown, now = Date.now()): { spans: ActivitySpan[]; rejected: SpanRejection[] } {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0) throw new OtlpPayloadError('expected an activity object or a non-empty array of them');
  if (items.length > MAX_ACTIVITIES_PER_REQUEST) {
    throw new OtlpPayloadError(`at most ${MAX_ACTIVITIES_PER_REQUEST} activities per request, got ${items.length}`);
  }
  const spans: ActivitySpan[] = [];
  const rejected: SpanRejection[] = [];
  items.forEach((item, i) => {
    const result = activitySpan(item, now);
    if (typeof result === 'string') rejected.push({ where: `activities[${i}]`, reason: result });
    else spans.push(result);
  });
  return { spans, rejected };
}
