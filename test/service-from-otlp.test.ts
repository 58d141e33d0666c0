/**
 * otlpToActivitySpans: OTLP/JSON objects and protobufjs-decoded messages (bytes ids, Long int64s) convert to the same
 * ActivitySpans as readableSpanToActivitySpan gives for the SDK spans they came from; bad spans get a reason each.
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { OtlpPayloadError, otlpToActivitySpans } from '../exporter/normalize/from-otlp';
import { readableSpanToActivitySpan } from '../exporter/normalize/from-readable-span';
import { otlpProtoCodec } from '../exporter/service/otlp-proto';

function sdkSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'conv', 'k.int': 7 }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('t');
  for (const kind of [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER]) {
    const span = tracer.startSpan(`span ${kind}`, {
      kind,
      attributes: { s: 'x', i: 9_007_199_254_740_991, negative: -42, d: 0.1, b: false, arr: [1, 2, 3], strs: ['a', ''], big: 1e21 },
    });
    span.addEvent('checkpoint', { step: 2 });
    if (kind === SpanKind.CLIENT) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    span.end();
  }
  return memory.getFinishedSpans();
}

describe('otlpToActivitySpans', () => {
  const spans = sdkSpans();
  const expected = spans.map(readableSpanToActivitySpan);

  it('converts OTLP/JSON (hex ids, string int64s) exactly as the SDK path converts the same spans', () => {
    const request = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8')) as unknown;
    expect(otlpToActivitySpans(request)).toEqual({ spans: expected, rejected: [] });
  });

  it('converts a protobufjs-decoded message (bytes ids, Long int64s) exactly as the SDK path converts the same spans', () => {
    const decoded = otlpProtoCodec().decodeRequest(ProtobufTraceSerializer.serializeRequest(spans)!);
    expect(otlpToActivitySpans(decoded)).toEqual({ spans: expected, rejected: [] });
  });

  it('accepts enum names and base64 ids from lenient JSON senders', () => {
    const [span] = otlpToActivitySpans({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'CvdlGRbNQ92ESOshHIAxnA==', spanId: 't61rcWkgMzE=', name: 'n', kind: 'SPAN_KIND_SERVER', startTimeUnixNano: 1_700_000_000_000_000_000, endTimeUnixNano: '1700000000001500000', status: { code: 'STATUS_CODE_ERROR' } }] }] }],
    }).spans;
    expect(span).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', kind: 1, statusCode: 2, startTimeMs: 1_700_000_000_000, durationMs: 1.5 });
  });

  it('rejects each bad span with a reason and keeps the good ones', () => {
    const good = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000000000000' };
    const result = otlpToActivitySpans({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                good,
                { ...good, traceId: '00000000000000000000000000000000' },
                { ...good, spanId: 'xyz' },
                { ...good, endTimeUnixNano: '1' },
                { ...good, startTimeUnixNano: 1.5 },
                { ...good, kind: 9 },
                { ...good, attributes: [{ key: 'a', value: { intValue: 'ten' } }] },
                'not a span',
              ],
            },
          ],
        },
      ],
    });
    expect(result.spans).toHaveLength(1);
    expect(result.rejected.map((r) => r.reason)).toEqual([
      'invalid traceId "00000000000000000000000000000000": must be 16 bytes, not all zero',
      'invalid spanId "xyz": must be 16 hex characters',
      'endTimeUnixNano (1) is before startTimeUnixNano (1700000000000000000)',
      'startTimeUnixNano must be a non-negative integer of nanoseconds, got 1.5',
      'kind must be a SpanKind (0-5), got number 9',
      'attributes[0] ("a").intValue has the wrong type: got the string "ten"',
      'span has the wrong type: got the string "not a span"',
    ]);
    expect(result.rejected[6]!.where).toBe('resourceSpans[0].scopeSpans[0].spans[7]');
  });

  it('throws OtlpPayloadError when the request itself has the wrong shape', () => {
    expect(() => otlpToActivitySpans(null)).toThrow(new OtlpPayloadError('expected an ExportTraceServiceRequest object, got null'));
    expect(() => otlpToActivitySpans({ resourceSpans: [{ scopeSpans: {} }] })).toThrow(new OtlpPayloadError('resourceSpans[0].scopeSpans must be an array, got an object'));
    expect(otlpToActivitySpans({})).toEqual({ spans: [], rejected: [] });
  });

  it('keeps a nested map as JSON text built once, and cuts nesting deeper than 16 levels', () => {
    let value: unknown = { stringValue: 'leaf "quoted"' };
    for (let i = 0; i < 40; i++) value = { kvlistValue: { values: [{ key: 'k', value }] } };
    const [span] = otlpToActivitySpans({
      resourceSpans: [{ scopeSpans: [{ spans: [{
        traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', startTimeUnixNano: '1', endTimeUnixNano: '2',
        attributes: [
          { key: 'deep', value },
          { key: 'map', value: { kvlistValue: { values: [{ key: 'a', value: { intValue: '1' } }, { key: 'b', value: { arrayValue: { values: [{ stringValue: 'x' }, { boolValue: true }] } } }] } } },
        ],
      }] }] }],
    }).spans;
    expect(span!.attributes.map).toBe('{"a":1,"b":["x",true]}');
    expect(span!.attributes.deep).toBe(`${'{"k":'.repeat(16)}"[nested too deep]"${'}'.repeat(16)}`);
  });
});
