/**
 * The SpanProcessor that turns OTel spans into activity spans: it links every span started inside a request
 * to that request's state, marks outbound HTTP/fetch spans as external calls (service, redacted URL, the
 * request's user), folds HTTP spans made inside trackExternalCall into it, and finishes access spans.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  ATTR_ACTIVITY_KIND,
  ATTR_ERROR_MESSAGE,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_URL_FULL,
  ATTR_URL_QUERY,
} from '../attributes';
import { GENAI_FOLDED, genAiCallAttributes, genAiCostAttributes, genAiProviderOf } from '../external/genai-client-spans';
import { deferEnd } from '../external/recent-calls';
import { foldResponseUsage, takeResponseUsage } from '../external/response-usage-capture';
import { externalCallAttributes, innerCallEnded, innerCallStarted, isTrackedCall } from '../external/track-external-call';
import { redactUrl } from '../request/redact-query';
import { getRuntime } from '../runtime/activity-runtime';
import { activityCounters } from '../runtime/activity-stats';
import { releaseRequestState, requestStateOf, setRequestState, storedRequestState } from '../runtime/request-state';
import { adoptIntoRequest } from './adopt-into-request';
import { HTTP_CLIENT_SCOPE } from '../external/http-client-spans';
import { finishAccessSpan } from './finish-access-span';
import { addUserAttributes } from './identity-attributes';

export const HTTP_SCOPE = HTTP_CLIENT_SCOPE;
export const UNDICI_SCOPE = '@opentelemetry/instrumentation-undici';

/** Attributes an HTTP span inside trackExternalCall hands to its tracked call when it ends. */
const FOLDED = [
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_URL_FULL,
  ATTR_SERVER_ADDRESS,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
];

export class ActivitySpanProcessor implements SpanProcessor {
  /** HTTP (or GenAI) span → the external call (trackExternalCall, GenAI client span) it is folded into. */
  private readonly innerCalls = new WeakMap<Span, Span>();
  /** Any span started under an external call → that call, so HTTP spans below a vendor SDK's span still fold. */
  private readonly callOf = new WeakMap<Span, Span>();
  private readonly genAiCalls = new WeakSet<Span>();

  private callAbove(parent: Span | undefined): Span | undefined {
    if (parent === undefined) return undefined;
    return isTrackedCall(parent) || this.genAiCalls.has(parent) ? parent : this.callOf.get(parent);
  }

  onStart(span: Span, parentContext: Context): void {
    if (span.kind === SpanKind.SERVER) return; // its state is opened by the request hook
    const parent = trace.getSpan(parentContext) as Span | undefined;
    const inherited = requestStateOf(parent);
    const state = inherited ?? storedRequestState();
    if (state !== undefined) setRequestState(span, state);
    const call = this.callAbove(parent);
    if (call !== undefined) this.callOf.set(span, call);
    // The parent is another SDK's span (or none): the call, auth event or activity still belongs to our request.
    if (inherited === undefined && state !== undefined) adoptIntoRequest(span, state.span);
    if (span.kind !== SpanKind.CLIENT) return;

    const scope = span.instrumentationScope.name;
    const attributes = span.attributes;
    if (scope === HTTP_SCOPE || scope === UNDICI_SCOPE) {
      if (call !== undefined) {
        this.innerCalls.set(span, call);
        innerCallStarted(call);
        return;
      }
      const runtime = getRuntime();
      const set = externalCallAttributes(runtime.serviceOf(String(attributes[ATTR_SERVER_ADDRESS] ?? ''), attributes[ATTR_URL_FULL]), undefined);
      const url = attributes[ATTR_URL_FULL];
      if (typeof url === 'string' && url.includes('?')) set[ATTR_URL_FULL] = redactUrl(url, runtime.redactQuery);
      const query = attributes[ATTR_URL_QUERY];
      if (typeof query === 'string' && query !== '') {
        set[ATTR_URL_QUERY] = runtime.redactQuery(query.startsWith('?') ? query.slice(1) : query);
      }
      if (state !== undefined) addUserAttributes(set, state);
      span.setAttributes(set);
      activityCounters().externalCalls++;
    } else if (attributes[ATTR_ACTIVITY_KIND] === 'external') {
      // trackExternalCall or a usage-only span: cost goes to the user of the request that caused it.
      if (state !== undefined) span.setAttributes(addUserAttributes({}, state));
      activityCounters().externalCalls++;
    } else {
      const provider = genAiProviderOf(attributes);
      if (provider === undefined) return;
      // A vendor SDK's span for one model call: under trackExternalCall it folds in, else it is the call's row.
      if (call !== undefined) {
        this.innerCalls.set(span, call);
        innerCallStarted(call);
        return;
      }
      const set = genAiCallAttributes(provider, attributes);
      if (state !== undefined) addUserAttributes(set, state);
      span.setAttributes(set);
      this.genAiCalls.add(span);
      deferEnd(span);
      activityCounters().externalCalls++;
    }
  }

  onEnding(span: Span): void {
    if (span.kind === SpanKind.SERVER) {
      const state = requestStateOf(span);
      if (state !== undefined && (state.span as unknown) === span) finishAccessSpan(state.span, state, getRuntime());
      return;
    }
    const usage = takeResponseUsage(getRuntime(), span);
    const outer = this.innerCalls.get(span);
    if (outer !== undefined) {
      if (usage !== undefined) foldResponseUsage(outer, usage);
      const set: Attributes = {};
      for (const key of FOLDED) {
        if (span.attributes[key] !== undefined && outer.attributes[key] === undefined) set[key] = span.attributes[key];
      }
      for (const key of GENAI_FOLDED) {
        if (span.attributes[key] !== undefined && outer.attributes[key] === undefined) set[key] = span.attributes[key];
      }
      if (span.status.code === SpanStatusCode.ERROR && outer.attributes[ATTR_ERROR_MESSAGE] === undefined) {
        set[ATTR_ERROR_MESSAGE] = span.status.message || `HTTP ${String(span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] ?? 'error')}`;
      }
      if (set[ATTR_URL_FULL] !== undefined) set[ATTR_URL_FULL] = redactUrl(String(set[ATTR_URL_FULL]), getRuntime().redactQuery);
      outer.setAttributes(set);
      innerCallEnded(outer);
      return;
    }
    if (usage !== undefined) foldResponseUsage(span, usage);
    if (this.genAiCalls.has(span)) span.setAttributes(genAiCostAttributes(getRuntime(), span.attributes));
    if (span.status.code === SpanStatusCode.ERROR) {
      const message = span.status.message || (span.attributes[ATTR_ERROR_MESSAGE] as string | undefined);
      if (span.kind === SpanKind.CLIENT && span.attributes[ATTR_ACTIVITY_KIND] === 'external' && span.attributes[ATTR_ERROR_MESSAGE] === undefined) {
        span.setAttribute(ATTR_ERROR_MESSAGE, message || `HTTP ${String(span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] ?? 'error')}`);
      } else if (message) {
        const state = requestStateOf(span);
        if (state !== undefined && state.errorMessage === undefined) state.errorMessage = message;
      }
    }
  }

  onEnd(span: ReadableSpan): void {
    // Access spans are released by inbound-requests.ts after end(): sampling still reads their state in onEnd.
    if (span.kind !== SpanKind.SERVER) releaseRequestState(span as unknown as Span);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
