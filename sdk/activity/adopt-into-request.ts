/**
 * Re-parents a span whose parent is not one of ours (an app's own OpenTelemetry SDK, a database instrumentation,
 * a custom span) onto the access span of the request it runs in, so its row links to a row that is stored.
 */
import type { Span as ApiSpan, SpanContext } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace-base';

interface ReparentableSpan {
  parentSpanContext: SpanContext | undefined;
}

/**
 * Called from onStart, before any instrumentation injects the span's context into outgoing headers, so what is
 * propagated downstream is the same trace as what is stored. The sampled flag stays the span's own.
 */
export function adoptIntoRequest(span: Span, accessSpan: ApiSpan): void {
  const access = accessSpan.spanContext();
  const own = span.spanContext();
  if (own.traceId === access.traceId && span.parentSpanContext?.spanId === access.spanId) return;
  (span as unknown as ReparentableSpan).parentSpanContext = { ...access, isRemote: false };
  (own as { traceId: string }).traceId = access.traceId;
}
