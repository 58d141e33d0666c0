/**
 * `trackExternalCall(service, fn, { model })`: one external-call span around any async call (an SDK client,
 * a queue, a database API). HTTP calls made inside it are folded into it instead of becoming spans of their own.
 */
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_EXTERNAL_SERVICE,
  ATTR_ACTIVITY_KIND,
  ATTR_ERROR_MESSAGE,
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
} from '../attributes';
import { getRuntime } from '../runtime/activity-runtime';
import { providerOfService } from './llm-providers';

export interface TrackExternalCallOptions {
  /** The model requested, for model APIs (gen_ai.request.model). */
  readonly model?: string;
}

const trackedCalls = new WeakSet<Span>();

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
  const runtime = getRuntime();
  const span = runtime.tracer.startSpan(`external ${service}`, {
    kind: SpanKind.CLIENT,
    attributes: externalCallAttributes(service, options.model),
  });
  trackedCalls.add(span);
  try {
    return await context.with(trace.setSpan(context.active(), span), fn);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    span.setAttribute(ATTR_ERROR_TYPE, err.name);
    span.setAttribute(ATTR_ERROR_MESSAGE, err.message);
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    throw error;
  } finally {
    span.end();
  }
}
