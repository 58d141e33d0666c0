/**
 * What the SDK knows about the inbound request a span belongs to (user, session, client, auth route), found
 * from any span started inside the request (each child span is mapped to its request's state at start), or from
 * our own async-local store when the active context is someone else's (an app's own OpenTelemetry SDK rebuilds
 * the handler's context from scratch, so our span is not in it).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { trace, type Span } from '@opentelemetry/api';
import type { AccessSpan } from '../activity/access-span';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthEvent } from '../attributes';
import type { BodyPrefix } from '../auth/auth-account';

export interface RequestState {
  readonly request: IncomingMessage;
  response: ServerResponse | undefined;
  /** The request's server span. */
  readonly span: AccessSpan;
  /** URL path without the query string. */
  readonly path: string;
  /** Anonymised per ipMode; undefined when dropped or unknown. */
  readonly clientAddress: string | undefined;
  /** Sanitised, capped. */
  readonly userAgent: string | undefined;
  userId: string | undefined;
  sessionId: string | undefined;
  /** The identify hook has run for this request. */
  identified: boolean;
  /** userId came from the bearer token's claim, not from the app (setUser, identify, trackAuth). */
  userIdFromToken: boolean;
  /** Set when the request matches a declarative auth route. */
  readonly authEvent: AuthEvent | undefined;
  /** trackAuth() was called in this request, so a matching auth route adds no second event. */
  authTracked: boolean;
  /** The body's first bytes, copied as the app reads them, on auth routes with authAccountField set. */
  authBody: BodyPrefix | undefined;
  /** First error seen in the request's child spans (an exception in a framework layer). */
  errorMessage: string | undefined;
  /** The request's end-of-request work is done (it runs once, from the first of response end or span end). */
  finished: boolean;
}

// A symbol-keyed property on the span rather than a WeakMap: one per span, read for every child span, and
// WeakMap entries (ephemerons) cost extra GC work at this rate.
const STATE = Symbol('otel-activity.request-state');

interface WithState {
  [STATE]?: RequestState;
}

/** A holder, not the state itself, so the state can be let go at the request's end while the store lives on. */
interface StateHolder {
  state: RequestState | undefined;
}

const requestStore = new AsyncLocalStorage<StateHolder>();
const HOLDER = Symbol('otel-activity.request-holder');

/**
 * Registers a request from its start to its release on its access span's SpanContext object as well: a span an
 * app starts through `@opentelemetry/api` with no SDK of its own is a non-recording span holding that very object,
 * so it finds the request with one property read. (A Map of requests in flight by span id, set and deleted per
 * request, cost more than any other line of ours in a profile of a hello-world app.)
 */
export function openRequest(state: RequestState): void {
  (state.span.spanContext() as WithState)[STATE] = state;
}

/** Makes `state` the current request for the rest of this execution and what it schedules (the request's scope). */
export function enterRequest(state: RequestState): void {
  const holder: StateHolder = { state };
  (state.span as { [HOLDER]?: StateHolder })[HOLDER] = holder;
  requestStore.enterWith(holder);
}

/** The request whose scope this is, whatever context is active; undefined once that request has ended. */
export function storedRequestState(): RequestState | undefined {
  return requestStore.getStore()?.state;
}

export function setRequestState(span: Span, state: RequestState): void {
  (span as WithState)[STATE] = state;
}

/**
 * Forgets the state once a span has ended: an ended span waits in the export batch for up to a second, and through
 * its state it would keep the request, the response and their buffers alive that long (measured: V8's scavenges
 * copy them, ~50 µs more GC per request on a route with a 10 KB body).
 */
export function releaseRequestState(span: Span): void {
  const state = (span as WithState)[STATE];
  if (state !== undefined) {
    (span as WithState)[STATE] = undefined;
    if (state.span === span) (span.spanContext() as WithState)[STATE] = undefined;
  }
  const holder = (span as { [HOLDER]?: StateHolder })[HOLDER];
  if (holder !== undefined) holder.state = undefined;
}

export function requestStateOf(span: Span | undefined): RequestState | undefined {
  if (span === undefined) return undefined;
  return (span as WithState)[STATE] ?? (span.spanContext() as WithState)[STATE];
}

/** The state of the request being handled, if any: from the active span, else from our own store. */
export function currentRequestState(): RequestState | undefined {
  return requestStateOf(trace.getActiveSpan()) ?? storedRequestState();
}
