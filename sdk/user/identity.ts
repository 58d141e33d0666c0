/**
 * Who made the request: `setUser({ id, sessionId })` called inside a handler, or the `identify(req)` hook set
 * with `configure()`, run at most once per request, then what config can tell (a JWT claim, a hashed session
 * cookie). An explicit setUser wins over identify, and both win over config.
 */
import { diag } from '@opentelemetry/api';
import { ATTR_SESSION_ID, ATTR_USER_ID } from '../attributes';
import { getRuntime, type ActivityHooks, type UserIdentity } from '../runtime/activity-runtime';
import { guardHook } from '../runtime/hook-guard';
import { rawHeader } from '../request/raw-header';
import { currentRequestState, type RequestState } from '../runtime/request-state';
import { guardApi, optionsArg, textArg } from '../runtime/safe-args';

let warnedOutside = false;

/** Attributes the user of this request to `id` (and `sessionId`). Call it inside a request handler. */
export function setUser(user: UserIdentity): void {
  guardApi('setUser', () => applyUser(optionsArg<UserIdentity>(user)), undefined);
}

function applyUser(user: Partial<UserIdentity>): void {
  const state = currentRequestState();
  if (state === undefined) {
    if (!warnedOutside) {
      warnedOutside = true;
      diag.warn('otel-activity: setUser() was called outside a tracked request; it has no effect there');
    }
    return;
  }
  const id = textArg(user.id);
  if (id !== undefined) {
    state.userId = id;
    // A token's claim may have filled it already (identity runs at the first external call or auth event).
    state.userIdFromToken = false;
  }
  const sessionId = textArg(user.sessionId);
  if (sessionId !== undefined) state.sessionId = sessionId;
  // Also on the span now, so the user is there even if the request ends through an error path.
  if (state.userId !== undefined) state.span.setAttribute(ATTR_USER_ID, state.userId);
  if (state.sessionId !== undefined) state.span.setAttribute(ATTR_SESSION_ID, state.sessionId);
}

/** Runs the identify hook for this request once, then config-derived identity; fills only what setUser has not. */
export function ensureIdentified(state: RequestState): void {
  if (state.identified) return;
  state.identified = true;
  const runtime = getRuntime();
  const identify = runtime.hooks.identify;
  if (identify !== undefined) {
    const who = guardHook('identify', () => identify(state.request), undefined);
    if (who !== undefined && who !== null && typeof who === 'object') {
      state.userId ??= guardHook('identify', () => textArg(who.id), undefined);
      state.sessionId ??= guardHook('identify', () => textArg(who.sessionId), undefined);
    }
  }
  if (state.userId === undefined && runtime.tokenUserOf !== undefined) {
    state.userId = runtime.tokenUserOf(rawHeader(state.request, 'authorization'));
    state.userIdFromToken = state.userId !== undefined;
  }
  if (state.sessionId === undefined && runtime.sessionOf !== undefined) state.sessionId = runtime.sessionOf(rawHeader(state.request, 'cookie'));
}

/** Sets the user's hooks (`identify`); later calls replace only the hooks they name. */
export function configure(hooks: ActivityHooks): void {
  const runtime = getRuntime();
  runtime.hooks = { ...runtime.hooks, ...hooks };
}
