/**
 * End-of-request work on the access span, run once as it ends: route template, body sizes, user and session,
 * parsed user agent, error message, and the declarative auth route's event.
 */
import { SpanStatusCode, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import { takeAttemptedAccount } from '../auth/auth-account';
import { authEventForStatus } from '../auth/auth-routes';
import { emitAuthSpan } from '../auth/track-auth';
import { headerNumber, rawHeader } from '../request/raw-header';
import type { ActivityRuntime } from '../runtime/activity-runtime';
import { boundedMemo } from '../runtime/bounded-memo';
import type { RequestState } from '../runtime/request-state';
import { ensureIdentified } from '../user/identity';
import {
  SLOT_ERROR_MESSAGE,
  SLOT_METHOD,
  SLOT_REQUEST_BYTES,
  SLOT_RESPONSE_BYTES,
  SLOT_ROUTE,
  SLOT_SESSION_ID,
  SLOT_STATUS,
  SLOT_UA_BROWSER,
  SLOT_UA_DEVICE,
  SLOT_UA_OS,
  SLOT_USER_AGENT,
  SLOT_USER_ID,
  type AccessSpan,
} from './access-span';

/**
 * "METHOD route", made once per pair: routes are bounded (route-limit) and methods few, and a fresh joined string per
 * request is an allocation plus a flattening copy when the encoder reads it.
 */
const namesOfRoute = boundedMemo(2048, (): Map<string, string> => new Map());

function spanName(method: string, route: string): string {
  const byMethod = namesOfRoute(route);
  let name = byMethod.get(method);
  if (name === undefined) {
    name = `${method} ${route}`;
    // Methods are the client's to choose: a few per route are kept, any others joined each time.
    if (byMethod.size < 16) byMethod.set(method, name);
  }
  return name;
}

export function finishAccessSpan(span: AccessSpan, state: RequestState, runtime: ActivityRuntime): void {
  if (state.finished) return;
  state.finished = true;
  const slots = span.slots;
  const response = state.response;

  let status = slots[SLOT_STATUS] as number | undefined;
  if (status === undefined && response !== undefined && response.headersSent) {
    status = response.statusCode;
    span.setSlot(SLOT_STATUS, status);
  }

  let route = slots[SLOT_ROUTE] as string | undefined;
  if (route === undefined) {
    route = runtime.routeOf(state.request, state.path);
    span.setSlot(SLOT_ROUTE, route);
  }
  span.updateName(spanName((slots[SLOT_METHOD] as string | undefined) ?? state.request.method ?? 'GET', route));

  const requestBytes = headerNumber(rawHeader(state.request, 'content-length'));
  if (requestBytes !== undefined) span.setSlot(SLOT_REQUEST_BYTES, requestBytes);
  const responseBytes = response === undefined ? undefined : headerNumber(response.getHeader('content-length'));
  if (responseBytes !== undefined) span.setSlot(SLOT_RESPONSE_BYTES, responseBytes);

  // The request's identity (setUser, identify, the token's claim) is the row's user.
  ensureIdentified(state);
  if (state.userId !== undefined) span.setSlot(SLOT_USER_ID, state.userId);
  if (state.sessionId !== undefined) span.setSlot(SLOT_SESSION_ID, state.sessionId);
  // client.address is on the span since its start; the user agent's parse is cached, so it is cheap here.
  if (state.userAgent !== undefined) {
    const ua = runtime.parseUserAgent(state.userAgent);
    span.setSlot(SLOT_USER_AGENT, ua.original);
    span.setSlot(SLOT_UA_DEVICE, ua.deviceType);
    if (ua.browser !== '') span.setSlot(SLOT_UA_BROWSER, ua.browser);
    if (ua.os !== '') span.setSlot(SLOT_UA_OS, ua.os);
  }

  const spanStatus = span.status;
  if (spanStatus.code === SpanStatusCode.ERROR || (status !== undefined && status >= 500)) {
    span.setSlot(SLOT_ERROR_MESSAGE, spanStatus.message || state.errorMessage || response?.statusMessage || `HTTP ${status ?? 'error'}`);
  }

  const account = takeAttemptedAccount(state, runtime);
  if (state.authEvent !== undefined && !state.authTracked) {
    const outcome = authEventForStatus(state.authEvent, status ?? 0);
    emitAuthSpan(runtime, state, { event: outcome.event, success: outcome.success, userId: account }, trace.setSpan(ROOT_CONTEXT, span));
  }
}
