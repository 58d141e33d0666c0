/**
 * otlpProtobufToActivitySpans (protobuf bytes straight to ActivitySpans) against today's path, protobufjs decode then
 * otlpToActivitySpans: the same spans and rejections for real SDK requests and hand-built edge cases, the same fault
 * for malformed bodies, and only ProtobufDecodeError (never a hang) for random damage to valid bodies.
 */
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { otlpProtobufToActivitySpans, ProtobufDecodeError } from '../exporter/normalize/from-otlp-protobuf';
import { otlpToActivitySpans, type OtlpConversion } from '../exporter/normalize/from-otlp';
import { otlpProtoCodec } from '../exporter/service/otlp-proto';
import { seededRandom } from './helpers/otlp-sender';

/** Today's path; the fault protobufjs throws, if any, as the class of its message ("index out of range", …). */
function viaProtobufjs(body: Uint8Array): OtlpConversion | { fault: string } {
  let decoded: unknown;
  try {
    decoded = otlpProtoCodec().decodeRequest(Buffer.from(body));
  } catch (error) {
    return { fault: faultClass((error as Error).message) };
  }
  return otlpToActivitySpans(decoded);
}

function viaReader(body: Uint8Array): OtlpConversion | { fault: string } {
  try {
    return otlpProtobufToActivitySpans(Buffer.from(body));
  } catch (error) {
    if (!(error instanceof ProtobufDecodeError)) throw error;
    return { fault: faultClass(error.message) };
  }
}

/** Offsets and lengths in a message depend on how far each decoder read before noticing; the kind of fault does not. */
function faultClass(message: string): string {
  return message.split(':')[0]!.replace(/ at offset \d+$/, '');
}

function sdkRequests(): Uint8Array[] {
  const memory = new InMemorySpanExporter();
  const resources = [
    resourceFromAttributes({ 'service.name': 'shop', 'service.version': '1.4.2', 'host.name': 'web-1', 'k.int': 7, 'k.list': ['a', 'b'] }),
    resourceFromAttributes({ 'service.name': 'café-ünïcödé ✓ 🚀', 'deployment.environment.name': '' }),
    resourceFromAttributes({}),
  ];
  const providers = resources.map((resource) => new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] }));
  const requests: Uint8Array[] = [];
  for (const provider of providers) {
    for (const [scope, version] of [['otel-activity', '0.1.0'], ['app-scope', undefined], ['', undefined]] as const) {
      const tracer = provider.getTracer(scope, version);
      const kinds = [SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
      kinds.forEach((kind, i) => {
        const parent = tracer.startSpan(`parent ${i}`);
        const span = tracer.startSpan(
          i % 2 ? `GET /api/ünï/${i}` : '',
          {
            kind,
            attributes: {
              s: 'x', empty: '', unicode: 'naïve – 日本語 🙂', long: 'L'.repeat(300), i: 9_007_199_254_740_991, negative: -42, zero: 0,
              d: 0.1, negDouble: -1.5e-300, big: 1e21, b: false, t: true, ints: [1, 2, 3], doubles: [0.5, -2.25], bools: [true, false],
              strs: ['a', '', 'ü'], emptyArr: [], 'http.response.status_code': 200 + i,
            },
            links: i % 2 ? [{ context: parent.spanContext(), attributes: { 'link.attr': 'l', n: 3 } }] : [],
          },
          i === 0 ? undefined : trace.setSpan(context.active(), parent),
        );
        span.addEvent('checkpoint', { step: 2, label: 'é', ok: true });
        span.addEvent('empty event');
        if (kind === SpanKind.CLIENT) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom – ✗' });
        if (kind === SpanKind.SERVER) span.setStatus({ code: SpanStatusCode.OK });
        span.end();
        parent.end();
      });
    }
  }
  const spans = memory.getFinishedSpans() as ReadableSpan[];
  requests.push(ProtobufTraceSerializer.serializeRequest(spans)!);
  requests.push(ProtobufTraceSerializer.serializeRequest(spans.slice(0, 1))!);
  requests.push(ProtobufTraceSerializer.serializeRequest([])!);
  return requests;
}

// A minimal protobuf writer for bodies no SDK writes (unknown fields, odd wire types, extremes).
function varint(value: bigint): number[] {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return out;
}
const tag = (field: number, wire: number): number[] => varint(BigInt(field * 8 + wire));
const vint = (field: number, value: bigint | number): number[] => [...tag(field, 0), ...varint(BigInt(value))];
const len = (field: number, ...parts: (number[] | string | Uint8Array)[]): number[] => {
  const body = parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'utf8')] : [...p]));
  return [...tag(field, 2), ...varint(BigInt(body.length)), ...body];
};
const fixed64 = (field: number, value: bigint): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, value));
  return [...tag(field, 1), ...b];
};
const double = (field: number, value: number): number[] => {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return [...tag(field, 1), ...b];
};
const fixed32 = (field: number, value: number): number[] => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value);
  return [...tag(field, 5), ...b];
};
const group = (field: number, ...parts: number[][]): number[] => [...tag(field, 3), ...parts.flat(), ...tag(field, 4)];

const TRACE = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
const SPAN = Buffer.from('b7ad6b7169203331', 'hex');
const T0 = 1_700_000_000_123_456_789n;

/** A KeyValue message's body: wrap it in the field that holds it (9 in a span, 1 in a resource, 3 in a scope or event, 4 in a link). */
const kv = (key: string, ...value: number[][]): number[] => [...len(1, key), ...value.flatMap((v) => len(2, v))];
function span(...extra: number[][]): number[] {
  return len(2, len(1, TRACE), len(2, SPAN), len(5, 'op'), fixed64(7, T0), fixed64(8, T0 + 1_500_000n), ...extra);
}
function request(...spans: number[][]): Uint8Array {
  return Uint8Array.from(len(1, len(1, len(1, kv('service.name', len(1, 'svc')))), len(2, ...spans)));
}
/** A span with the given attribute KeyValues (field 9). */
const withAttributes = (...kvs: number[][]): Uint8Array => request(span(...kvs.map((k) => len(9, k))));
const attr = (key: string, ...value: number[][]): number[] => kv(key, ...value);

function nestedKvlist(depth: number): number[] {
  let value = len(1, 'leaf');
  for (let i = 0; i < depth; i++) value = len(6, len(1, len(1, `k${i}`), len(2, value)));
  return value;
}
function nestedArray(depth: number): number[] {
  let value = vint(3, 1);
  for (let i = 0; i < depth; i++) value = len(5, len(1, value), len(1, len(1, 's')));
  return value;
}

const EDGE_CASES: Record<string, Uint8Array> = {
  'int64 extremes and signs': withAttributes(
    attr('max', vint(3, 2n ** 63n - 1n)), attr('min', vint(3, -(2n ** 63n))), attr('minus1', vint(3, -1)),
    attr('over2^53', vint(3, 2n ** 53n + 1n)), attr('under-2^53', vint(3, -(2n ** 53n) - 3n)), attr('u32', vint(3, 2n ** 32n - 1n)), attr('zero', vint(3, 0)),
  ),
  'doubles NaN, infinities, -0 and subnormal': withAttributes(
    attr('nan', double(4, NaN)), attr('inf', double(4, Infinity)), attr('-inf', double(4, -Infinity)), attr('-0', double(4, -0)), attr('tiny', double(4, 5e-324)),
  ),
  'bytes, bools (a long varint true), empty strings': withAttributes(
    attr('bytes', len(7, Uint8Array.from([0, 255, 1, 2]))), attr('emptyBytes', len(7)), attr('t', [...tag(2, 0), 0x80, 0x01]), attr('f', vint(2, 0)),
    attr('emptyString', len(1)), attr('', len(1, 'empty key')),
  ),
  'empty AnyValue, KeyValue without value, string table index': withAttributes(attr('emptyValue', []), attr('noValue'), attr('strindex', vint(8, 3)), attr('strindexThenString', vint(8, 3), len(1, 'won')), attr('stringThenStrindex', [...len(1, 'lost'), ...vint(8, 3)])),
  'oneof: the last member on the wire wins; a repeated value merges': withAttributes(
    attr('stringThenInt', [...len(1, 's'), ...vint(3, 5)]), attr('intThenArray', [...vint(3, 5), ...len(5, len(1, len(1, 'a')))]),
    attr('arrayTwice', [...len(5, len(1, len(1, 'a'))), ...len(5, len(1, vint(3, 2)))]), attr('mergedValue', len(5, len(1, len(1, 'x'))), len(5, len(1, len(1, 'y')))),
    attr('arrayStringArray', [...len(5, len(1, len(1, 'a'))), ...len(1, 's'), ...len(5, len(1, len(1, 'b')))]),
  ),
  'arrays: nested arrays dropped, maps inside kept as JSON, empty items dropped': withAttributes(
    attr('mixed', len(5, len(1, len(1, 'a')), len(1, nestedArray(1)), len(1, len(6, len(1, len(1, 'k'), len(2, vint(2, 1))))), len(1), len(1, vint(3, -7)), len(1, double(4, 2.5)))),
    attr('emptyArray', len(5)),
  ),
  'maps: nested, deep beyond 16, empty members, __proto__ keys': withAttributes(
    attr('map', len(6, len(1, len(1, 'a'), len(2, len(1, 'b'))), len(1, len(1, 'n')), len(1, len(1, 'e'), len(2)), len(1, len(1, 'arr'), len(2, nestedArray(3))), len(1, len(1, 'bytes'), len(2, len(7, 'hi'))))),
    attr('deep', nestedKvlist(30)), attr('deepArrays', nestedArray(30)), attr('emptyMap', len(6)),
    attr('proto', len(6, len(1, len(1, '__proto__'), len(2, len(6, len(1, len(1, 'polluted'), len(2, len(1, 'yes')))))), len(1, len(1, 'after'), len(2, len(1, 'ok'))))),
    attr('__proto__', len(1, 'string proto')),
  ),
  'nesting up to 99 message levels (the decoder depth limit is 100)': withAttributes(attr('deep', nestedKvlist(31)), attr('deepArrays', nestedArray(47))),
  'unknown fields of every wire type at every level, and known numbers with other wire types': Uint8Array.from([
    ...vint(99, 1), ...fixed32(98, 7), ...fixed64(97, 1n), ...len(96, 'x'), ...group(95, vint(1, 1), group(2, len(3, 'y'))),
    ...len(1,
      len(1, len(1, kv('service.name', len(1, 'svc'), vint(9, 1))), vint(1, 5), fixed32(42, 1)), vint(3, 3), fixed64(77, 2n),
      len(2, len(1, len(1, 'scope'), len(2, 'v'), len(3, kv('scope.attr', len(1, 'x'))), vint(4, 1), vint(11, 1)), vint(2, 1), fixed32(50, 9),
        span(vint(1, 5), fixed32(5, 1), len(6, 'x'), vint(7, 1), len(8, 'y'), len(15, len(2, 'status'), vint(3, 2), fixed64(9, 1n)), len(15, len(1, 'not code')), vint(42, 9), group(43), fixed32(16, 1),
          len(11, fixed64(1, T0), len(2, 'ev'), len(3, kv('a', len(1, 'b'), fixed32(77, 1))), vint(4, 2), len(99, 'unknown')),
          len(13, len(1, TRACE), len(2, SPAN), len(3, 'ts'), len(4, kv('l', len(1, 'v'))), vint(5, 1), fixed32(6, 1), len(77, 'z')),
          len(9, attr('shape', vint(1, 5), vint(4, 1), vint(5, 1), vint(6, 2), double(2, 1), vint(3, 4))),
        )),
    ),
  ]),
  'resource after its spans, twice (merged), and several resources and scopes': Uint8Array.from([
    ...len(1, len(2, span()), len(1, len(1, kv('a', len(1, '1')))), len(2, span(), span()), len(1, len(1, kv('b', len(1, '2'))), len(1, kv('a', len(1, 'override'))))),
    ...len(1, len(2, span(len(9, len(1, 'k'), len(2, len(1, 'v')))))),
    ...len(1),
  ]),
  'rejected spans: ids, times, kind, status, in from-otlp order': request(
    len(2, len(2, SPAN), fixed64(7, T0)),
    len(2, len(1, Buffer.alloc(16)), len(2, SPAN), fixed64(7, T0)),
    len(2, len(1, TRACE.subarray(0, 15)), len(2, SPAN), fixed64(7, T0)),
    len(2, len(1, TRACE), fixed64(7, T0)),
    len(2, len(1, TRACE), len(2, Buffer.alloc(8)), fixed64(7, T0)),
    len(2, len(1, TRACE), len(2, SPAN.subarray(1)), fixed64(7, T0)),
    len(2, len(1, TRACE), len(2, SPAN), len(4, SPAN.subarray(2)), fixed64(7, T0)),
    len(2, len(1, TRACE), len(2, SPAN), len(4, Buffer.alloc(8)), fixed64(7, T0), fixed64(8, T0)),
    len(2, len(1, TRACE), len(2, SPAN), len(4)),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, T0), fixed64(8, T0 - 1n)),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, T0), fixed64(8, T0), vint(6, 7)),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, T0), fixed64(8, T0), vint(6, -1)),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, T0), fixed64(8, T0), len(15, vint(3, 3))),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, T0), fixed64(8, T0), len(15, vint(3, -2))),
    len(2, len(1, TRACE), len(1), len(2, SPAN), fixed64(7, T0), fixed64(8, T0)),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, T0), fixed64(8, T0 + 10n), vint(6, 5), len(15, vint(3, 2), len(2, 'e'))),
  ),
  'times: sub-ms fractions, beyond 2^53 ns, the fixed64 maximum, events at 0': request(
    span(len(11, fixed64(1, 0n), len(2, 'zero')), len(11, fixed64(1, T0 + 999n))),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, 2n ** 53n + 1n), fixed64(8, 2n ** 60n + 7n), len(11, fixed64(1, 2n ** 63n + 3n))),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, 2n ** 64n - 1n), fixed64(8, 2n ** 64n - 1n)),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, 1n), fixed64(8, 999_999_999n)),
    len(2, len(1, TRACE), len(2, SPAN), fixed64(7, 1_999_999_999_999_999_999n), fixed64(8, 2_000_000_000_000_000_001n)),
  ),
  'strings: BOM kept, every UTF-8 length, long non-ASCII': request(span(len(5, '\uFEFFbom é 日 🙂'), len(9, attr('k€y', len(1, 'ü'.repeat(100)))), len(9, attr('mixed', len(1, 'abcdefgh'.repeat(9) + 'é'))))),
  'an empty body and empty resource spans': new Uint8Array(0),
};

const MALFORMED: Record<string, number[]> = {
  'a length past the end': [0x0a, 0x05, 0x12, 0x00],
  'a truncated varint': [0x08, 0xff],
  'a truncated tag': [0xff],
  'wire type 6': [0x0e, 0x00],
  'wire type 7 inside a span': len(1, len(2, len(2, [0x0f]))),
  'an end group without a start': [0x0c],
  'an unterminated group': [0x0b, 0x08, 0x01],
  'a group closed by another field': [0x0b, 0x14],
  'field number 0': [0x00, 0x00],
  'an 11-byte varint in a known field': len(1, len(2, len(2, [...tag(6, 0), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]))),
  'a 6-byte length': [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
  'a field running past its message': [0x0a, 0x02, 0x12, 0x05, 0, 0, 0, 0, 0],
  'a fixed64 cut short': len(1, len(2, len(2, [...tag(7, 1), 1, 2, 3]))),
  'invalid UTF-8 in a name': len(1, len(2, len(2, len(5, [0xff, 0xfe])))),
  'invalid UTF-8 in a scope name (dropped, still checked)': len(1, len(2, len(1, len(1, [0xc0, 0x80])))),
  'invalid UTF-8 in a link attribute': len(1, len(2, len(2, len(13, len(4, kv('k', len(1, [0xed, 0xa0, 0x80]))))))),
  'a lone surrogate in a long string': len(1, len(2, len(2, len(5, [...Buffer.from('a'.repeat(80)), 0xed, 0xb0, 0x80])))),
  'a kvlist nested past the decoder depth limit': [...withAttributes(attr('deep', nestedKvlist(60)))],
  'arrays nested past the decoder depth limit': [...withAttributes(attr('deep', nestedArray(60)))],
  'groups nested past the depth limit': [...Array.from({ length: 120 }, () => tag(5, 3)).flat(), ...Array.from({ length: 120 }, () => tag(5, 4)).flat()],
};

describe('otlpProtobufToActivitySpans', () => {
  it('gives the same spans as protobufjs + otlpToActivitySpans for requests from the official serializer', () => {
    const requests = sdkRequests();
    for (const body of requests) {
      const expected = viaProtobufjs(body);
      expect('fault' in expected).toBe(false);
      expect(viaReader(body)).toEqual(expected);
    }
    expect((viaReader(requests[0]!) as OtlpConversion).spans).toHaveLength(90);
  });

  for (const [name, body] of Object.entries(EDGE_CASES)) {
    it(`gives the same result as today's path for ${name}`, () => {
      const expected = viaProtobufjs(body);
      expect('fault' in expected, JSON.stringify(expected).slice(0, 300)).toBe(false);
      expect(viaReader(body)).toEqual(expected);
    });
  }

  it('keeps int64 and time values exactly as from-otlp converts them', () => {
    const { spans } = otlpProtobufToActivitySpans(EDGE_CASES['int64 extremes and signs']!);
    expect(spans[0]!.attributes).toEqual({ max: 9223372036854775807, min: -9223372036854775808, minus1: -1, 'over2^53': 9007199254740992, 'under-2^53': -9007199254740996, u32: 4294967295, zero: 0 });
    expect(spans[0]!.startTimeMs).toBe(1_700_000_000_123.4568);
    expect(spans[0]!.durationMs).toBe(1.5);
    const rejected = otlpProtobufToActivitySpans(EDGE_CASES['rejected spans: ids, times, kind, status, in from-otlp order']!).rejected;
    expect(rejected[0]).toEqual({ where: 'resourceSpans[0].scopeSpans[0].spans[0]', reason: 'traceId has the wrong type: got an array' });
    expect(rejected.map((r) => r.reason)).toContain('kind must be a SpanKind (0-5), got number -1');
    const [bom] = otlpProtobufToActivitySpans(EDGE_CASES['strings: BOM kept, every UTF-8 length, long non-ASCII']!).spans;
    expect(bom!.name).toBe('\uFEFFbom é 日 🙂');
    expect(bom!.attributes['k€y']).toBe('ü'.repeat(100));
  });

  for (const [name, bytes] of Object.entries(MALFORMED)) {
    it(`refuses ${name} with the fault protobufjs gives`, () => {
      const expected = viaProtobufjs(Uint8Array.from(bytes));
      expect('fault' in expected, JSON.stringify(expected).slice(0, 300)).toBe(true);
      expect(viaReader(Uint8Array.from(bytes))).toEqual(expected);
    });
  }

  it('throws only ProtobufDecodeError for damaged bodies, and agrees with today’s path on what it accepts', () => {
    const random = seededRandom(20261202);
    const bodies = [...sdkRequests().slice(0, 2), ...Object.values(EDGE_CASES)].filter((b) => b.length > 0);
    let accepted = 0;
    let refused = 0;
    for (let round = 0; round < 4000; round++) {
      const original = bodies[round % bodies.length]!;
      let body = Buffer.from(original);
      const damage = Math.floor(random() * 3);
      if (damage === 0) body = body.subarray(0, Math.floor(random() * body.length));
      else {
        for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
          const at = Math.floor(random() * body.length);
          body[at] = damage === 1 ? body[at]! ^ (1 << Math.floor(random() * 8)) : Math.floor(random() * 256);
        }
      }
      const actual = viaReader(body);
      expect(actual, `round ${round}`).toEqual(viaProtobufjs(body));
      if ('fault' in actual) refused++;
      else accepted++;
    }
    expect(refused).toBeGreaterThan(500);
    expect(accepted).toBeGreaterThan(500);
  });
});
