/**
 * Who made the request: `setUser({ id, sessionId })` called inside a handler, or the `identify(req)` hook set
 * with `configure()`, run at most once per request. An explicit setUser wins over identify.
 */
import { diag } from '@opentelemetry/api';
import { ATTR_SESSION_ID, ATTR_USER_ID } from '../attributes';
import { getRuntime, type ActivityHooks, type UserIdentity } from '../runtime/activity-runtime';
import { guardHook } from '../runtime/hook-guard';
import { currentRequestState, type RequestState } from '../runtime/request-state';

let warnedOutside = false;

/** Attributes the user of this request to `id` (and `sessionId`). Call it inside a request handler. */
export function setUser(user: UserIdentity): void {
  const state = currentRequestState();
  if (state === undefined) {
    if (!warnedOutside) {
      warnedOutside = true;
      diag.warn('otel-activity: setUser() was called outside a tracked request; it has no effect there');
    }
    return;
  }
  if (user.id !== undefined && user.id !== null && user.id !== '') state.userId = String(user.id);
  if (user.sessionId !== undefined && user.sessionId !== null && user.sessionId !== '') state.sessionId = String(user.sessionId);
  // Also on the span now, so the user is there even if the request ends through an error path.
  if (state.userId !== undefined) state.span.setAttribute(ATTR_USER_ID, state.userId);
  if (state.sessionId !== undefined) state.span.setAttribute(ATTR_SESSION_ID, state.sessionId);
}

/** Runs the identify hook for this request once; fills only what setUser has not. */
export function ensureIdentified(state: RequestState): void {
  if (state.identified) return;
  state.identified = true;
  const identify = getRuntime().hooks.identify;
  if (identify === undefined) return;
  const who = guardHook('identify', () => identify(state.request), undefined);
  if (who === undefined || who === null || typeof who !== 'object') return;
  if (state.userId === undefined && who.id !== undefined && who.id !== null && who.id !== '') state.userId = String(who.id);
  if (state.sessionId === undefined && who.sessionId !== undefined && who.sessionId !== null && who.sessionId !== '') {
    state.sessionId = String(who.sessionId);
  }
}

/** Sets the user's hooks (`identify`); later calls replace only the hooks they name. */
export function configure(hooks: ActivityHooks): void {
  const runtime = getRuntime();
  runtime.hooks = { ...runtime.hooks, ...hooks };
}
