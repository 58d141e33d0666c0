/**
 * Auth events (signup, login, logout, login_failed, token_refresh, password_reset) as ONE child span each,
 * activity.kind = auth, carrying the request's user, session, client address and user agent.
 */
import { context, diag, ROOT_CONTEXT, SpanKind, trace, type Attributes, type Context } from '@opentelemetry/api';
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
import { guardApi, optionsArg, textArg } from '../runtime/safe-args';

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
export function emitAuthSpan(runtime: ActivityRuntime, state: RequestState | undefined, options: Partial<TrackAuthOptions>, parent: Context): void {
  const event = textArg(options.event);
  if (event === undefined) {
    diag.warn('otel-activity: trackAuth() needs an event (signup, login, logout, login_failed, token_refresh, password_reset); nothing recorded');
    return;
  }
  const success = typeof options.success === 'boolean' ? options.success : event !== 'login_failed';
  const attributes: Attributes = {
    [ATTR_ACTIVITY_KIND]: 'auth',
    [ATTR_ACTIVITY_AUTH_EVENT]: event,
    [ATTR_ACTIVITY_AUTH_SUCCESS]: success,
  };
  const method = textArg(options.method);
  if (method !== undefined) attributes[ATTR_ACTIVITY_AUTH_METHOD] = method;
  const reason = textArg(options.reason);
  if (reason !== undefined) attributes[ATTR_ACTIVITY_AUTH_REASON] = reason;
  const userId = textArg(options.userId);
  if (userId !== undefined) {
    attributes[ATTR_USER_ID] = userId;
    // The user who just logged in or signed up is the user of the rest of this request.
    if (state !== undefined && success && state.userId === undefined) state.userId = userId;
  }
  const sessionId = textArg(options.sessionId);
  if (sessionId !== undefined) {
    attributes[ATTR_SESSION_ID] = sessionId;
    if (state !== undefined && state.sessionId === undefined) state.sessionId = sessionId;
  }
  addIdentityAttributes(attributes, state, runtime, true);
  runtime.tracer.startSpan(`auth ${event.length > 64 ? event.slice(0, 64) : event}`, { kind: SpanKind.INTERNAL, attributes }, parent).end();
  activityCounters().authEvents++;
}

/** Records an auth event of the current request (or with no request, e.g. from a job). */
export function trackAuth(options: TrackAuthOptions): void {
  guardApi(
    'trackAuth',
    () => {
      const state = currentRequestState();
      if (state !== undefined) state.authTracked = true;
      const parent = state !== undefined || trace.getActiveSpan() !== undefined ? context.active() : ROOT_CONTEXT;
      emitAuthSpan(getRuntime(), state, optionsArg<TrackAuthOptions>(options), parent);
    },
    undefined,
  );
}
