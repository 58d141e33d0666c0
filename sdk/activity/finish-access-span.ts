/**
 * End-of-request work on the access span, run once as it ends: route template, body sizes, user and session,
 * parsed user agent, error message, and the declarative auth route's event.
 */
import { SpanStatusCode, trace, ROOT_CONTEXT, type Attributes, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_MESSAGE,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '../attributes';
import { takeAttemptedAccount } from '../auth/auth-account';
import { authEventForStatus } from '../auth/auth-routes';
import { emitAuthSpan } from '../auth/track-auth';
import { headerNumber, rawHeader } from '../request/raw-header';
import type { ActivityRuntime } from '../runtime/activity-runtime';
import type { RequestState } from '../runtime/request-state';
import { attributesOf, statusOf } from '../runtime/span-access';
import { addUserAgentAttributes, addUserAttributes } from './identity-attributes';

export function finishAccessSpan(span: Span, state: RequestState, runtime: ActivityRuntime): void {
  if (state.finished) return;
  state.finished = true;
  const current = attributesOf(span);
  const response = state.response;

  // Straight onto the span where we can: an attributes object and setAttributes() would copy each value once more.
  let status = current[ATTR_HTTP_RESPONSE_STATUS_CODE] as number | undefined;
  if (status === undefined && response !== undefined && response.headersSent) {
    status = response.statusCode;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  }

  let route = current[ATTR_HTTP_ROUTE] as string | undefined;
  if (route === undefined) {
    route = runtime.routeOf(state.request, state.path);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  span.updateName(`${(current[ATTR_HTTP_REQUEST_METHOD] as string | undefined) ?? state.request.method ?? 'GET'} ${route}`);

  const requestBytes = headerNumber(rawHeader(state.request, 'content-length'));
  if (requestBytes !== undefined) span.setAttribute(ATTR_HTTP_REQUEST_BODY_SIZE, requestBytes);
  const responseBytes = response === undefined ? undefined : headerNumber(response.getHeader('content-length'));
  if (responseBytes !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_BODY_SIZE, responseBytes);

  // The identity helpers fill an object (they also serve child spans); most requests leave it empty.
  const set: Attributes = {};
  addUserAttributes(set, state);
  // client.address is on the span since its start; the user agent's parse is cached, so it is cheap here.
  if (state.userAgent !== undefined) addUserAgentAttributes(set, state.userAgent, runtime);

  const spanStatus = statusOf(span);
  if (spanStatus?.code === SpanStatusCode.ERROR || (status !== undefined && status >= 500)) {
    set[ATTR_ERROR_MESSAGE] =
      spanStatus?.message || state.errorMessage || response?.statusMessage || `HTTP ${status ?? 'error'}`;
  }
  span.setAttributes(set);

  const account = takeAttemptedAccount(state, runtime);
  if (state.authEvent !== undefined && !state.authTracked) {
    const outcome = authEventForStatus(state.authEvent, status ?? 0);
    emitAuthSpan(runtime, state, { event: outcome.event, success: outcome.success, userId: account }, trace.setSpan(ROOT_CONTEXT, span));
  }
}
