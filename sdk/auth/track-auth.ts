/**
 * Auth events (signup, login, logout, login_failed, token_refresh, password_reset) as ONE child span each,
 * activity.kind = auth, carrying the request's user, session, client address and user agent.
 */
import { context, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_AUTH_EVENT,
  ATTR_ACTIVITY_AUTH_METHOD,
  ATTR_ACTIVITY_AUTH_REASON,
  ATTR_ACTIVITY_AUTH_SUCCESS,
  ATTR_ACTIVITY_KIND,
  ATTR_SESSION_ID,
  ATTR_USER_ID,
  type AuthEvent,
} from '../attributes';
import { addIdentityAttributes } from '../activity/identity-attributes';
import { getRuntime, type ActivityRuntime } from '../runtime/activity-runtime';
import { activityCounters } from '../runtime/activity-stats';
import { currentRequestState, type RequestState } from '../runtime/request-state';

export interface TrackAuthOptions {
  readonly event: AuthEvent;
  /** The user the event is about (for a failed login, the name tried, if you want it recorded). */
  readonly userId?: string;
  /** Default: true, except for login_failed. */
  readonly success?: boolean;
  /** How: password, oauth, magic_link, api_key … */
  readonly method?: string;
  /** Why it failed (never a secret). */
  readonly reason?: string;
  readonly sessionId?: string;
}

/** Emits the auth span; `parent` defaults to the active context. Used by trackAuth and by auth routes. */
export function emitAuthSpan(runtime: ActivityRuntime, state: RequestState | undefined, options: TrackAuthOptions, parent: Context): void {
  const success = options.success ?? options.event !== 'login_failed';
  const attributes: Attributes = {
    [ATTR_ACTIVITY_KIND]: 'auth',
    [ATTR_ACTIVITY_AUTH_EVENT]: options.event,
    [ATTR_ACTIVITY_AUTH_SUCCESS]: success,
  };
  if (options.method) attributes[ATTR_ACTIVITY_AUTH_METHOD] = options.method;
  if (options.reason) attributes[ATTR_ACTIVITY_AUTH_REASON] = options.reason;
  if (options.userId !== undefined && options.userId !== null && options.userId !== '') {
    attributes[ATTR_USER_ID] = String(options.userId);
    // The user who just logged in or signed up is the user of the rest of this request.
    if (state !== undefined && success && state.userId === undefined) state.userId = String(options.userId);
  }
  if (options.sessionId) {
    attributes[ATTR_SESSION_ID] = options.sessionId;
    if (state !== undefined && state.sessionId === undefined) state.sessionId = options.sessionId;
  }
  addIdentityAttributes(attributes, state, runtime, true);
  runtime.tracer.startSpan(`auth ${options.event}`, { kind: SpanKind.INTERNAL, attributes }, parent).end();
  activityCounters().authEvents++;
}

/** Records an auth event of the current request (or with no request, e.g. from a job). */
export function trackAuth(options: TrackAuthOptions): void {
  const state = currentRequestState();
  if (state !== undefined) state.authTracked = true;
  const parent = state !== undefined || trace.getActiveSpan() !== undefined ? context.active() : ROOT_CONTEXT;
  emitAuthSpan(getRuntime(), state, options, parent);
}
