/**
 * The access span made without the SDK's Span against the SDK's own: the same calls on both must give the same
 * ReadableSpan (attributes, limits, status rules, events, exceptions, ended-span no-ops), its OTLP bytes must decode
 * to what otlp-transformer writes for it, and its context must follow the caller's trace and sampled flag.
 */
import * as path from 'node:path';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanLimits } from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { AccessSpan, SLOT_CLIENT_ADDRESS, SLOT_ROUTE, SLOT_STATUS, SLOT_USER_AGENT, startAccessSpanUnder, type AccessSpanShared } from '../sdk/activity/access-span';
import { encodeTraceRequest } from '../sdk/export/otlp-trace-encoder';
import { PooledIdGenerator } from '../sdk/setup/id-generator';

const PROTO_DIR = path.join(__dirname, '..', 'exporter', 'service', 'proto');
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const decoded = (bytes: Uint8Array): unknown => Request.toObject(Request.decode(bytes), { longs: String, bytes: String, defaults: true, arrays: true });

const resource = resourceFromAttributes({ 'service.name': 'shop' });
const SCOPE = { name: 'otel-activity' };
const LIMITS: SpanLimits = { attributeValueLengthLimit: 12, attributeCountLimit: 8, eventCountLimit: 3, attributePerEventCountLimit: 2, linkCountLimit: 2 };

function shared(ended: ReadableSpan[], endingCalls: string[] = []): AccessSpanShared {
  return {
    resource,
    instrumentationScope: SCOPE,
    limits: LIMITS,
    ids: new PooledIdGenerator(),
    onStart: () => undefined,
    onEnding: (span) => endingCalls.push(`ending ${span.name} recording=${span.isRecording()}`),
    onEnd: (span) => ended.push(span),
  };
}

/** The same calls an app, a framework and our own code make on a request's span. */
function exercise(span: Span): void {
  span.setAttribute('activity.kind', 'access');
  span.setAttribute('http.request.method', 'GET');
  span.setAttribute('url.path', '/a/very/long/path/beyond/the/limit');
  span.setAttribute('http.route', '/a/:b');
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('app.tags', ['short', 'much longer than twelve']);
  span.setAttribute('app.flag', true);
  span.setAttribute('', 'no key');
  span.setAttribute('app.bad', { nested: 1 } as never);
  span.setAttribute('app.undefined', undefined as never);
  span.setAttributes({ 'app.one': 1, 'app.two': 2, 'app.three': 3 });
  span.setAttribute('app.one', 11);
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'broke' });
  span.setStatus({ code: SpanStatusCode.UNSET });
  span.addEvent('first', { a: 1, b: 2, c: 3 });
  span.addEvent('second');
  span.recordException(new TypeError('bad input'));
  span.recordException({ code: 'E_CODE', message: 'with a code' });
  span.updateName('GET /a/:b');
  span.end();
  // Ignored once ended, as the SDK ignores them.
  span.setAttribute('after.end', 1);
  span.setStatus({ code: SpanStatusCode.OK });
  span.updateName('renamed');
  span.addEvent('late');
}

function comparable(span: ReadableSpan): unknown {
  return {
    name: span.name,
    kind: span.kind,
    attributes: span.attributes,
    droppedAttributesCount: span.droppedAttributesCount,
    status: span.status,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes, dropped: event.droppedAttributesCount })),
    droppedEventsCount: span.droppedEventsCount,
    ended: span.ended,
  };
}

describe('AccessSpan', () => {
  it('records what the SDK span records for the same calls, limits and rules included', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource, spanLimits: LIMITS, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const sdkSpan = provider.getTracer('otel-activity').startSpan('GET', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
    exercise(sdkSpan);
    const ended: ReadableSpan[] = [];
    const ours = startAccessSpanUnder(shared(ended), ROOT_CONTEXT, 'GET');
    exercise(ours);
    const reference = exporter.getFinishedSpans()[0]!;
    expect(ended).toEqual([ours]);
    // Attribute order differs (slots first); the set of attributes and every other field must not.
    const a = comparable(ours) as { attributes: object };
    const b = comparable(reference) as { attributes: object };
    expect({ ...a, attributes: undefined }).toEqual({ ...b, attributes: undefined });
    expect(Object.fromEntries(Object.entries(a.attributes).sort())).toEqual(Object.fromEntries(Object.entries(b.attributes).sort()));
    expect(ours.attributes['url.path']).toBe('/a/very/long');
    expect(ours.attributes['url.path']).toHaveLength(12);
    expect(ours.droppedAttributesCount).toBeGreaterThan(0);
    expect(ours.events.map((event) => event.name)).toEqual(['second', 'exception', 'exception']);
    expect(ours.events[1]!.attributes!['exception.type']).toBe('TypeError');
    expect(ours.events[2]!.attributes!['exception.type']).toBe('E_CODE');
  });

  it('takes the time at start and end as the SDK span does: wall-clock start, monotonic duration', () => {
    const ended: ReadableSpan[] = [];
    const before = Date.now();
    const span = startAccessSpanUnder(shared(ended), ROOT_CONTEXT, 'GET');
    expect(span.endTime).toEqual([0, 0]);
    expect(span.duration).toEqual([-1, -1]);
    const spin = performance.now() + 3;
    while (performance.now() < spin);
    span.end();
    const startMs = span.startTime[0] * 1e3 + span.startTime[1] / 1e6;
    expect(startMs).toBeGreaterThanOrEqual(before);
    expect(startMs).toBeLessThanOrEqual(Date.now());
    const durationMs = span.duration[0] * 1e3 + span.duration[1] / 1e6;
    expect(durationMs).toBeGreaterThanOrEqual(3);
    expect(durationMs).toBeLessThan(1000);
    const endMs = span.endTime[0] * 1e3 + span.endTime[1] / 1e6;
    expect(endMs - startMs).toBeCloseTo(durationMs, 3);
  });

  it('runs onEnding while the span still takes attributes, then onEnd once; a second end() changes nothing', () => {
    const ended: ReadableSpan[] = [];
    const calls: string[] = [];
    const span = startAccessSpanUnder(shared(ended, calls), ROOT_CONTEXT, 'GET');
    span.setSlot(SLOT_ROUTE, '/x');
    span.end();
    span.end();
    span.setSlot(SLOT_STATUS, 500);
    expect(calls).toEqual(['ending GET recording=true']);
    expect(ended).toHaveLength(1);
    expect(span.attributes['http.response.status_code']).toBeUndefined();
    expect(span.attributes).toBe(span.attributes);
  });

  it('continues the caller’s trace with its trace state, and propagates its not-sampled flag while still recording', () => {
    const parent = {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.NONE,
      isRemote: true,
      traceState: new TraceState('vendor=abc'),
    };
    const span = startAccessSpanUnder(shared([]), trace.setSpanContext(ROOT_CONTEXT, parent), 'POST');
    expect(span.spanContext().traceId).toBe(parent.traceId);
    expect(span.spanContext().spanId).not.toBe(parent.spanId);
    expect(span.spanContext().traceFlags).toBe(TraceFlags.NONE);
    expect(span.spanContext().traceState?.serialize()).toBe('vendor=abc');
    expect(span.parentSpanContext).toBe(parent);
    expect(span.isRecording()).toBe(true);
    const fresh = startAccessSpanUnder(shared([]), ROOT_CONTEXT, 'GET');
    expect(fresh.parentSpanContext).toBeUndefined();
    expect(fresh.spanContext().traceFlags).toBe(TraceFlags.SAMPLED);
    expect(fresh.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('encodes to the message otlp-transformer writes for it (slots with pre-encoded keys, then the other attributes)', () => {
    const ended: ReadableSpan[] = [];
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED, isRemote: true });
    exercise(startAccessSpanUnder(shared(ended), parent, 'GET'));
    const plain = startAccessSpanUnder(shared(ended), ROOT_CONTEXT, 'GET');
    plain.setAttribute('url.path', '/');
    plain.end();
    expect(ended).toHaveLength(2);
    expect(ended[0]).toBeInstanceOf(AccessSpan);
    expect(decoded(encodeTraceRequest(ended))).toEqual(decoded(ProtobufTraceSerializer.serializeRequest(ended)!));
  });

  it('encodes repeated and ever-new slot values alike (each repeating value is encoded once and copied after)', () => {
    const ended: ReadableSpan[] = [];
    const unlimited = { ...shared(ended), limits: {} };
    // 600 distinct user agents: more than the per-slot memo holds, so it starts over on the way.
    for (let i = 0; i < 1200; i++) {
      const span = startAccessSpanUnder(unlimited, ROOT_CONTEXT, i % 3 === 0 ? 'POST' : 'GET');
      span.setSlot(SLOT_ROUTE, `/r/${i % 7}`);
      span.setSlot(SLOT_USER_AGENT, `agent ${i % 600} ${'é'.repeat(i % 5)}`);
      span.setSlot(SLOT_CLIENT_ADDRESS, `10.0.${i % 4}.0`);
      span.setSlot(SLOT_STATUS, 200 + (i % 3));
      // Ends up to three seconds on, at any nanosecond: the end's nanoseconds carry into its seconds.
      span.end([Math.trunc(Date.now() / 1000) + 1 + (i % 3), (i * 7_919_001_3) % 1e9]);
    }
    expect(decoded(encodeTraceRequest(ended))).toEqual(decoded(ProtobufTraceSerializer.serializeRequest(ended)!));
  });
});
