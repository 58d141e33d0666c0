/**
 * instrumentation-http hooks for inbound requests: decide whether a request is tracked, set the access span's
 * privacy-safe attributes at start (anonymised client address, redacted query, capped user agent, no raw peer
 * address), and open the request's state. Compiled matchers only: nothing here is per-request setup.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ATTR_ACTIVITY_KIND,
  ATTR_CLIENT_ADDRESS,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
} from '../attributes';
import { anonymizeIp } from '../request/anonymize-ip';
import { clientAddress } from '../request/client-address';
import type { ActivityRuntime } from '../runtime/activity-runtime';
import { setRequestState, type RequestState } from '../runtime/request-state';

const ATTR_NETWORK_PEER_ADDRESS = 'network.peer.address';
const ATTR_NETWORK_PEER_PORT = 'network.peer.port';

/** Per-request data computed in the start hook, picked up by the request hook once the span exists. */
interface PendingRequest {
  readonly path: string;
  readonly clientAddress: string | undefined;
  readonly userAgent: string | undefined;
}

const pending = new WeakMap<IncomingMessage, PendingRequest>();

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** True when the request is not tracked at all (skip list, method filter). */
export function ignoreIncoming(runtime: ActivityRuntime, request: IncomingMessage): boolean {
  if (runtime.methods !== undefined && !runtime.methods.has(request.method ?? 'GET')) return true;
  return runtime.skipPath(pathOf(request.url));
}

/** Attributes set when the access span starts; `undefined` values remove what instrumentation-http would set. */
export function startIncomingAttributes(runtime: ActivityRuntime, request: IncomingMessage): Attributes {
  const url = request.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const rawAddress = clientAddress(request, runtime.config.trustProxy);
  const address = rawAddress === undefined ? undefined : anonymizeIp(rawAddress, runtime.config.ipMode);
  let userAgent = request.headers['user-agent'];
  if (userAgent !== undefined && userAgent.length > runtime.config.userAgentMaxLength) {
    userAgent = userAgent.slice(0, runtime.config.userAgentMaxLength);
  }
  pending.set(request, { path, clientAddress: address, userAgent });
  return {
    [ATTR_ACTIVITY_KIND]: 'access',
    [ATTR_CLIENT_ADDRESS]: address,
    [ATTR_NETWORK_PEER_ADDRESS]: undefined,
    [ATTR_NETWORK_PEER_PORT]: undefined,
    [ATTR_USER_AGENT_ORIGINAL]: userAgent,
    [ATTR_URL_QUERY]: q === -1 ? undefined : runtime.redactQuery(url.slice(q + 1)),
  };
}

/** requestHook: for a server span, open the request's state (the span exists now). */
export function onIncomingRequest(runtime: ActivityRuntime, span: Span, request: IncomingMessage): void {
  const started = pending.get(request);
  if (started === undefined) return;
  pending.delete(request);
  const state: RequestState = {
    request,
    response: undefined,
    span,
    path: started.path,
    clientAddress: started.clientAddress,
    userAgent: started.userAgent,
    userId: undefined,
    sessionId: undefined,
    identified: false,
    authEvent: runtime.authRouteOf(request.method ?? 'GET', started.path),
    authTracked: false,
    errorMessage: undefined,
    finished: false,
  };
  setRequestState(span, state);
}

/** responseHook: for a server span, remember the response (sizes and status at the end). */
export function onIncomingResponse(span: Span, response: ServerResponse, state: RequestState | undefined): void {
  if (state !== undefined && state.span === span) state.response = response;
}
