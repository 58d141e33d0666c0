/**
 * An OTel SDK `ReadableSpan` → the normalised ActivitySpan the mappers read (hrTime → epoch ms with fraction,
 * null/undefined attribute values dropped, resource attributes flattened).
 */
import type { HrTime, Attributes as OtelAttributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ActivitySpan, AttributeValue, Attributes, SpanKindNumber } from 'otel-activity/contract';

export function readableSpanToActivitySpan(span: ReadableSpan): ActivitySpan {
  const context = span.spanContext();
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? '',
    name: span.name,
    kind: span.kind as SpanKindNumber,
    startTimeMs: hrTimeToMs(span.startTime),
    durationMs: hrTimeToMs(span.duration),
    statusCode: span.status.code as 0 | 1 | 2,
    statusMessage: span.status.message ?? '',
    attributes: normalizeAttributes(span.attributes),
    resource: normalizeAttributes(span.resource.attributes),
    events: span.events.map((event) => ({
      name: event.name,
      timeMs: hrTimeToMs(event.time),
      attributes: normalizeAttributes(event.attributes ?? {}),
    })),
  };
}

/** [seconds, nanoseconds] → milliseconds. Doubles keep µs precision for today's epoch; ns would not fit. */
export function hrTimeToMs(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

function normalizeAttributes(attributes: OtelAttributes): Attributes {
  const out: Record<string, AttributeValue> = {};
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      out[key] = (value as ReadonlyArray<unknown>).filter(
        (v): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean',
      );
    } else {
      out[key] = value as string | number | boolean;
    }
  }
  return out;
}
