/**
 * OTLP traffic with ids we choose, for the benches and the tests: a ReadableSpan built by hand (the SDK's tracer
 * would pick random ids) and its ExportTraceServiceRequest bytes exactly as the official exporters serialise them.
 */
import { SpanStatusCode, TraceFlags, type Attributes, type HrTime, type SpanKind } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export type Encoding = 'protobuf' | 'json';

export const CONTENT_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

export function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

/** Span id `<run 4 hex><sequence 12 hex>`: unique within a run, distinct between runs, never all zeros. */
export function spanIdFor(run: number, seq: number): string {
  return hex(run & 0xffff || 1, 4) + hex(seq + 1, 12);
}

function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

export interface HandMadeSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly attributes: Attributes;
  readonly resource: Resource;
  readonly scope: { readonly name: string; readonly version?: string };
}

/** An ended root span; a 500 status makes it an error span, as the SDK does. */
export function handMadeSpan(span: HandMadeSpan): ReadableSpan {
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => ({ traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED }),
    parentSpanContext: undefined,
    startTime: hrTime(span.startMs),
    endTime: hrTime(span.startMs + span.durationMs),
    status: { code: span.attributes['http.response.status_code'] === 500 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
    attributes: span.attributes,
    links: [],
    events: [],
    duration: hrTime(span.durationMs),
    ended: true,
    resource: span.resource,
    instrumentationScope: span.scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

export function encodeSpans(spans: ReadableSpan[], encoding: Encoding): Uint8Array {
  const bytes = encoding === 'json' ? JsonTraceSerializer.serializeRequest(spans) : ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error(`serializing ${spans.length} spans as ${encoding} failed`);
  return bytes;
}
