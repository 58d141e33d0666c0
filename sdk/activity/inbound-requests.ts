/**
 * Access spans for inbound HTTP requests, from Node's `http.server.request.start` diagnostics channel instead of
 * instrumentation-http's server patching (which costs more per request than a hello-world handler itself): one
 * AccessSpan, one request state, the context attached to the request's parser scope so the handler and its body events
 * see it, and one 'close' listener that ends the span.
 */
import * as diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag, propagation, ROOT_CONTEXT, SpanStatusCode, type Context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import {
  AccessSpan,
  SLOT_CLIENT_ADDRESS,
  SLOT_ERROR_TYPE,
  SLOT_PATH,
  SLOT_QUERY,
  SLOT_STATUS,
  SLOT_USER_AGENT,
  startAccessSpanUnder,
  type AccessSpanShared,
} from './access-span';
import { contextWithSpan } from './request-context';
import { observeBody } from '../auth/auth-account';
import { anonymizeIp } from '../request/anonymize-ip';
import { clientAddress } from '../request/client-address';
import { rawHeader } from '../request/raw-header';
import type { ActivityRuntime } from '../runtime/activity-runtime';
import { anotherTracerProvider } from '../setup/otel-globals';
import { enterRequest, openRequest, releaseRequestState, setRequestState, type RequestState } from '../runtime/request-state';

const REQUEST_START = 'http.server.request.start';

interface RequestStartMessage {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
}

/** Sets `ctx` as active for the rest of the current execution and what it schedules (context manager attach()). */
export type AttachContext = (ctx: Context) => void;

/** True when the request is not tracked at all (skip list, method filter). */
export function ignoreIncoming(runtime: ActivityRuntime, method: string, path: string): boolean {
  if (runtime.methods !== undefined && !runtime.methods.has(method)) return true;
  return runtime.skipPath(path);
}

function endAccessSpan(span: AccessSpan, response: ServerResponse): void {
  if (response.headersSent) {
    const status = response.statusCode;
    span.setSlot(SLOT_STATUS, status);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  }
  // The client went away before the response was complete.
  if (!response.writableFinished) span.setSlot(SLOT_ERROR_TYPE, 'aborted');
  span.end();
  releaseRequestState(span);
}

/** The access span a response ends, on the response itself: one shared 'close' listener instead of a closure per request. */
const ACCESS_SPAN = Symbol('otel-activity.access-span');

interface WithAccessSpan {
  [ACCESS_SPAN]?: AccessSpan;
}

// 'close' comes once per response; clearing the property keeps a second emit from ending the span twice.
function onResponseClose(this: ServerResponse): void {
  const span = (this as WithAccessSpan)[ACCESS_SPAN];
  if (span === undefined) return;
  (this as WithAccessSpan)[ACCESS_SPAN] = undefined;
  endAccessSpan(span, this);
}

function carriesContext(request: IncomingMessage, headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i++) if (rawHeader(request, headers[i]) !== undefined) return true;
  return false;
}

/** Starts the access span of one request and makes it the request's active context. */
export function startAccessSpan(runtime: ActivityRuntime, spans: AccessSpanShared, attach: AttachContext, request: IncomingMessage, response: ServerResponse): void {
  const method = request.method ?? 'GET';
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  if (ignoreIncoming(runtime, method, path)) {
    // Also clears the previous request's context on this keep-alive connection.
    attach(suppressTracing(ROOT_CONTEXT));
    return;
  }
  const config = runtime.config;
  const rawAddress = clientAddress(request, config.trustProxy);
  const address = rawAddress === undefined ? undefined : anonymizeIp(rawAddress, config.ipMode);
  let userAgent = rawHeader(request, 'user-agent');
  if (userAgent !== undefined && userAgent.length > config.userAgentMaxLength) userAgent = userAgent.slice(0, config.userAgentMaxLength);

  // The caller's context (traceparent, or b3 per OTEL_PROPAGATORS), when there is one.
  const parent = carriesContext(request, runtime.propagationHeaders) ? propagation.extract(ROOT_CONTEXT, request.headers) : ROOT_CONTEXT;
  const span = startAccessSpanUnder(spans, parent, method);
  span.setSlot(SLOT_PATH, path);
  if (q !== -1) span.setSlot(SLOT_QUERY, runtime.redactQuery(url.slice(q + 1)));
  if (address !== undefined) span.setSlot(SLOT_CLIENT_ADDRESS, address);
  if (userAgent !== undefined) span.setSlot(SLOT_USER_AGENT, userAgent);
  const authEvent = runtime.authRouteOf(method, path);
  const state: RequestState = {
    request,
    response,
    span,
    path,
    clientAddress: address,
    userAgent,
    userId: undefined,
    sessionId: undefined,
    identified: false,
    userIdFromToken: false,
    authEvent,
    authTracked: false,
    // Plain requests pay this one comparison; only auth routes have their body observed.
    authBody: authEvent === undefined || runtime.authAccountOf === undefined ? undefined : observeBody(request),
    errorMessage: undefined,
    finished: false,
  };
  setRequestState(span, state);
  openRequest(state);
  if (anotherTracerProvider()) enterRequest(state);
  attach(contextWithSpan(parent, span));
  (response as WithAccessSpan)[ACCESS_SPAN] = span;
  response.on('close', onResponseClose);
}

/** Subscribes to inbound requests; returns the unsubscribe function. */
export function traceInboundRequests(runtime: ActivityRuntime, spans: AccessSpanShared, attach: AttachContext): () => void {
  let reported = false;
  const onStart = (message: unknown): void => {
    const { request, response } = message as RequestStartMessage;
    try {
      startAccessSpan(runtime, spans, attach, request, response);
    } catch (error) {
      // Never let tracking break the request.
      if (!reported) {
        reported = true;
        diag.error('otel-activity: could not start an access span (reported once)', error);
      }
    }
  };
  diagnosticsChannel.subscribe(REQUEST_START, onStart);
  return () => diagnosticsChannel.unsubscribe(REQUEST_START, onStart);
}
