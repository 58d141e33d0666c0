/**
 * `trackExternalCall(service, fn, { model })`: one external-call span around any async call (an SDK client,
 * a queue, a database API). HTTP calls made inside it are folded into it instead of becoming spans of their own, and
 * recordUsage() inside it or right after it (same turn of the event loop) adds to it.
 */
import { context, diag, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_EXTERNAL_SERVICE,
  ATTR_ACTIVITY_KIND,
  ATTR_ERROR_MESSAGE,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
} from '../attributes';
import { getRuntime } from '../runtime/activity-runtime';
import { guardApi, optionsArg, textArg } from '../runtime/safe-args';
import { providerOfService } from './llm-providers';
import { endAfterThisTurn, parentIdOf } from './recent-calls';

export interface TrackExternalCallOptions {
  /** The model requested, for model APIs (gen_ai.request.model). */
  readonly model?: string;
}

const trackedCalls = new WeakSet<Span>();
/** Spans folded into a call that have not ended yet (a stream the app reads after the callback returned). */
const openInner = new WeakMap<Span, number>();
/** Calls whose callback has settled, waiting for their last inner span to end them. */
const pendingEnd = new WeakMap<Span, () => void>();
/** A stream read for longer than this still ends its call, so a leaked request never holds a row back for good. */
const MAX_WAIT_FOR_INNER_MS = 10 * 60_000;

/** An HTTP or GenAI span folded into `call` started: the call's row waits for it to end. */
export function innerCallStarted(call: Span): void {
  if (trackedCalls.has(call)) openInner.set(call, (openInner.get(call) ?? 0) + 1);
}

/** A span folded into `call` ended (its attributes already handed over). */
export function innerCallEnded(call: Span): void {
  const open = (openInner.get(call) ?? 1) - 1;
  openInner.set(call, open);
  if (open > 0) return;
  const end = pendingEnd.get(call);
  if (end === undefined) return;
  pendingEnd.delete(call);
  end();
}

function endCall(span: Span): void {
  // Open until the next turn: recordUsage() right after `await trackExternalCall(…)` still lands on this row.
  const end = (): void => endAfterThisTurn(span, parentIdOf(span), (endTime) => span.end(endTime));
  if ((openInner.get(span) ?? 0) === 0) return end();
  // Its HTTP call is still streaming (the callback returned the stream): the row ends with it, usage included.
  let ended = false;
  const once = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    end();
  };
  const timer = setTimeout(once, MAX_WAIT_FOR_INNER_MS);
  timer.unref();
  pendingEnd.set(span, once);
}

/** True for spans made by trackExternalCall: HTTP spans under them are folded into them. */
export function isTrackedCall(span: Span | undefined): boolean {
  return span !== undefined && trackedCalls.has(span);
}

export function externalCallAttributes(service: string, model: string | undefined): Attributes {
  const attributes: Attributes = { [ATTR_ACTIVITY_KIND]: 'external', [ATTR_ACTIVITY_EXTERNAL_SERVICE]: service };
  const provider = providerOfService(service);
  if (provider !== undefined) attributes[ATTR_GEN_AI_PROVIDER_NAME] = provider;
  if (model) attributes[ATTR_GEN_AI_REQUEST_MODEL] = model;
  return attributes;
}

/** Runs `fn` inside an external-call span for `service`; its result or error passes through unchanged. */
export async function trackExternalCall<T>(service: string, fn: () => Promise<T> | T, options: TrackExternalCallOptions = {}): Promise<T> {
  if (typeof fn !== 'function') {
    diag.warn('otel-activity: trackExternalCall(service, fn) needs a function to run; nothing recorded');
    return undefined as T;
  }
  const span = guardApi('trackExternalCall', () => startTrackedCall(service, options), undefined);
  // Tracking failed: the app's call still runs, untracked.
  if (span === undefined) return fn();
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (error) {
    guardApi(
      'trackExternalCall',
      () => {
        const name = error instanceof Error ? error.name : 'Error';
        const message = error instanceof Error ? error.message : (textArg(error) ?? 'non-Error thrown');
        span.setAttribute(ATTR_ERROR_TYPE, String(name));
        span.setAttribute(ATTR_ERROR_MESSAGE, String(message));
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(message) });
      },
      undefined,
    );
    // The app's own error, unchanged.
    throw error;
  } finally {
    endCall(span);
  }
}

function startTrackedCall(service: unknown, options: unknown): Span {
  const runtime = getRuntime();
  const name = textArg(service)?.slice(0, 128) ?? 'unknown';
  const model = textArg(optionsArg<TrackExternalCallOptions>(options).model)?.slice(0, runtime.config.attributeMaxLength);
  const span = runtime.tracer.startSpan(`external ${name}`, { kind: SpanKind.CLIENT, attributes: externalCallAttributes(name, model) });
  trackedCalls.add(span);
  return span;
}
