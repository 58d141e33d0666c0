/**
 * The SDK's own OTLP protobuf encoder against the reference: spans made by the real OTel SDK, encoded by ours and by
 * `@opentelemetry/otlp-transformer`'s ProtobufTraceSerializer, both decoded with the official .proto files, must be
 * the same message: every attribute type, events, links, remote parents, trace state, long and non-ASCII strings.
 */
import * as path from 'node:path';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { encodeTraceRequest } from '../sdk/export/otlp-trace-encoder';
import { ProtoWriter } from '../sdk/export/proto-writer';
import { ProtobufSpanBatcher } from '../sdk/export/span-batchers';

const PROTO_DIR = path.join(__dirname, '..', 'exporter', 'service', 'proto');
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(PROTO_DIR, target);
root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
const Request = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

function decoded(bytes: Uint8Array): unknown {
  return Request.toObject(Request.decode(bytes), { longs: String, bytes: String, defaults: true, arrays: true, oneofs: true });
}

function spansOf(make: (tracer: ReturnType<BasicTracerProvider['getTracer']>) => void, resource = { 'service.name': 'shop', 'deployment.environment.name': 'prod' }): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  make(provider.getTracer('otel-activity', '0.1.0'));
  return exporter.getFinishedSpans() as ReadableSpan[];
}

function expectSameAsReference(spans: ReadableSpan[], writer?: ProtoWriter): void {
  const reference = ProtobufTraceSerializer.serializeRequest(spans)!;
  const ours = encodeTraceRequest(spans, writer);
  expect(decoded(ours)).toEqual(decoded(reference));
}

describe('encodeTraceRequest', () => {
  it('writes an access span with every attribute type as the reference does', () => {
    const spans = spansOf((tracer) => {
      const span = tracer.startSpan('GET /api/products/:id', {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'url.path': '/api/products/42',
          'http.response.status_code': 200,
          'activity.cost_usd': 0.0000016,
          'big.int': 2 ** 40 + 7,
          'negative.int': -5,
          'most.negative': -(2 ** 53 - 1),
          'flag.true': true,
          'flag.false': false,
          'empty.string': '',
          'list.strings': ['a', 'bé', ''],
          'list.numbers': [1, 2.5, -3],
          'list.bools': [true, false],
          'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
          'unicode.short': 'naïve café ☕ 日本',
          'unicode.long': 'ü'.repeat(300) + '😀'.repeat(50),
          'ascii.long': 'x'.repeat(20_000),
        },
      });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom: ünïcode' });
      span.addEvent('exception', { 'exception.message': 'bad', 'exception.type': 'Error' });
      span.addEvent('no attributes');
      span.end();
    });
    expectSameAsReference(spans);
  });

  it('writes parents, remote parents, trace state, links, kinds and several scopes and resources', () => {
    const remote = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      traceState: new TraceState('vendor=abc,other=1'),
    });
    const first = spansOf((tracer) => {
      const server = tracer.startSpan('GET /', { kind: SpanKind.SERVER }, remote);
      context.with(trace.setSpan(ROOT_CONTEXT, server), () => {
        const client = tracer.startSpan('POST', { kind: SpanKind.CLIENT, links: [{ context: server.spanContext(), attributes: { why: 'retry' } }] });
        client.end();
        for (const kind of [SpanKind.INTERNAL, SpanKind.PRODUCER, SpanKind.CONSUMER]) (tracer.startSpan(`k${kind}`, { kind }) as Span).end();
      });
      server.end();
    });
    const other = spansOf((tracer) => tracer.startSpan('other service').end(), { 'service.name': 'billing', 'deployment.environment.name': 'prod' });
    const scoped = spansOf((tracer) => tracer.startSpan('same resource, other scope').end());
    expectSameAsReference([...first, ...other, ...first.slice(0, 1)]);
    expect(scoped).toHaveLength(1);
  });

  it('grows its buffer from a few bytes and stays correct across batches when reused', () => {
    const spans = spansOf((tracer) => {
      for (let i = 0; i < 300; i++) tracer.startSpan(`span ${i}`, { attributes: { i, path: `/items/${i}`, text: 'é'.repeat(i) } }).end();
    });
    const writer = new ProtoWriter(16);
    expectSameAsReference(spans, writer);
    expectSameAsReference(spans.slice(0, 3), writer);
    expectSameAsReference([], writer);
  });

  it('writes an id of any length as its bytes (one length byte holds only 127)', () => {
    for (const hex of ['0af7651916cd43dd8448eb211c80319c', 'ab'.repeat(127), 'cd'.repeat(128), 'ef'.repeat(300)]) {
      const writer = new ProtoWriter();
      writer.hexBytes(1, hex);
      const reader = protobuf.Reader.create(writer.finish());
      expect(reader.uint32()).toBe((1 << 3) | 2);
      expect(Buffer.from(reader.bytes()).toString('hex')).toBe(hex);
      expect(reader.pos).toBe(reader.len);
    }
  });

  it('writes spans of every size as the reference does (one, two and three length bytes)', () => {
    const spans = spansOf((tracer) => {
      tracer.startSpan('a').end();
      for (const size of [60, 100, 16_200, 16_400, 40_000]) tracer.startSpan(`s${size}`, { attributes: { big: 'x'.repeat(size) } }).end();
    });
    expectSameAsReference(spans);
  });

  it('writes an id that is not plain lowercase hex as Buffer does (upper case, odd length, other characters)', () => {
    for (const hex of ['0AF7651916CD43DD8448EB211C80319C', 'B7aD6b7169203331', 'abc', 'b7ad6b716920333g', 'zz', 'b7ad6b71692033\u0131', '', 'ab\u0100cd']) {
      const writer = new ProtoWriter();
      writer.hexBytes(1, hex);
      const reader = protobuf.Reader.create(writer.finish());
      expect(reader.uint32()).toBe((1 << 3) | 2);
      expect(Buffer.from(reader.bytes())).toEqual(Buffer.from(hex, 'hex'));
      expect(reader.pos).toBe(reader.len);
    }
  });

  it('never writes over a body still held, and writes the next batches into bodies given back', () => {
    const spans = spansOf((tracer) => {
      for (let i = 0; i < 50; i++) tracer.startSpan(`span ${i}`, { attributes: { i } }).end();
    });
    const writer = new ProtoWriter();
    const held = encodeTraceRequest(spans, writer);
    const heldCopy = Buffer.from(held);
    const second = encodeTraceRequest(spans.slice(0, 10), writer);
    expect(second.buffer).not.toBe(held.buffer);
    writer.release(second);
    // The writer goes on in the buffer it took at the second finish; a given-back buffer is the one after that.
    const third = encodeTraceRequest(spans.slice(10, 20), writer);
    const fourth = encodeTraceRequest(spans.slice(20, 30), writer);
    expect(third.buffer).not.toBe(second.buffer);
    expect(fourth.buffer).toBe(second.buffer);
    // The first body, never given back, is untouched by the three batches after it.
    expect(Buffer.from(held).equals(heldCopy)).toBe(true);
    expect(decoded(held)).toEqual(decoded(ProtobufTraceSerializer.serializeRequest(spans)!));
    expect(decoded(third)).toEqual(decoded(ProtobufTraceSerializer.serializeRequest(spans.slice(10, 20))!));
    expect(decoded(fourth)).toEqual(decoded(ProtobufTraceSerializer.serializeRequest(spans.slice(20, 30))!));
    // A body the writer did not make is ignored.
    writer.release(Buffer.from(heldCopy));
  });
});

describe('ProtobufSpanBatcher (each span encoded as it ends)', () => {
  /** Spans of two resources and three scopes, interleaved the way a busy app ends them. */
  function mixedSpans(): ReadableSpan[] {
    const exporter = new InMemorySpanExporter();
    const shop = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const billing = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'billing' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracers = [shop.getTracer('otel-activity', '0.1.0'), shop.getTracer('@opentelemetry/instrumentation-http'), billing.getTracer('otel-activity', '0.1.0'), shop.getTracer('custom', '2', { schemaUrl: 'https://opentelemetry.io/schemas/1.26.0' })];
    for (let i = 0; i < 23; i++) {
      const span = tracers[(i * 7) % tracers.length]!.startSpan(`span ${i}`, { kind: i % 3 === 0 ? SpanKind.SERVER : SpanKind.CLIENT, attributes: { i, 'url.path': `/p/${i}` } });
      if (i % 5 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      span.end();
    }
    return exporter.getFinishedSpans() as ReadableSpan[];
  }

  it('gives batches of maxBatchSize spans, byte for byte what encodeTraceRequest writes for the same spans', () => {
    const spans = mixedSpans();
    const batcher = new ProtobufSpanBatcher(5);
    for (const span of spans) batcher.add(span);
    expect(batcher.size).toBe(23);
    const bodies: Uint8Array[] = [];
    for (let batch = batcher.take(); batch !== undefined; batch = batcher.take()) {
      const from = bodies.length * 5;
      expect(batch.spans).toBe(Math.min(5, 23 - from));
      const expected = encodeTraceRequest(spans.slice(from, from + batch.spans));
      expect(Buffer.from(batch.body).equals(Buffer.from(expected))).toBe(true);
      expect(decoded(batch.body)).toEqual(decoded(ProtobufTraceSerializer.serializeRequest(spans.slice(from, from + batch.spans))!));
      bodies.push(batch.body);
    }
    expect(bodies).toHaveLength(5);
    expect(batcher.size).toBe(0);
  });

  it('takes a partial batch when asked, and goes on correctly with the groups it has seen', () => {
    const spans = mixedSpans();
    const batcher = new ProtobufSpanBatcher(512);
    for (const span of spans.slice(0, 3)) batcher.add(span);
    const first = batcher.take()!;
    expect(first.spans).toBe(3);
    for (const span of spans.slice(3)) batcher.add(span);
    const second = batcher.take()!;
    expect(second.spans).toBe(20);
    expect(decoded(first.body)).toEqual(decoded(encodeTraceRequest(spans.slice(0, 3))));
    expect(decoded(second.body)).toEqual(decoded(encodeTraceRequest(spans.slice(3))));
    expect(batcher.take()).toBeUndefined();
  });

  it('refuses a span it cannot encode without leaving any of its bytes in the batch', () => {
    const [good, other] = mixedSpans();
    const broken = Object.create(good!, { name: { get: () => { throw new Error('no name'); } } }) as ReadableSpan;
    const batcher = new ProtobufSpanBatcher(512);
    batcher.add(good!);
    expect(() => batcher.add(broken)).toThrow('no name');
    batcher.add(other!);
    expect(batcher.size).toBe(2);
    expect(decoded(batcher.take()!.body)).toEqual(decoded(encodeTraceRequest([good!, other!])));
  });
});
