/**
 * Converts a decoded OTLP ExportTraceServiceRequest (OTLP/JSON object, or a protobufjs-decoded message) into
 * ActivitySpans, with a reason for every span it cannot convert. Ids: hex strings (JSON) or bytes (protobuf);
 * int64s: strings or numbers (JSON), Long or number (protobuf).
 */
import { hrTimeToMs } from './from-readable-span';
import type { ActivitySpan, ActivitySpanEvent, AttributeValue, Attributes, SpanKindNumber } from 'otel-activity/contract';

/** The request as a whole is not an ExportTraceServiceRequest: answered with 400. */
export class OtlpPayloadError extends Error {
  override readonly name = 'OtlpPayloadError';
}

export interface SpanRejection {
  /** Position of the span in the request (resource, scope and span index), for the sender's logs. */
  readonly where: string;
  readonly reason: string;
}

export interface OtlpConversion {
  readonly spans: ActivitySpan[];
  readonly rejected: SpanRejection[];
}

/** A value that is one element of a span and has the wrong shape: the span is rejected with this reason. */
class SpanShapeError extends Error {}

type Obj = Record<string, unknown>;

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Epoch nanoseconds must be a plain unsigned decimal: no sign, exponent or fraction. */
const UINT_STRING = /^\d{1,20}$/;
const INT_STRING = /^-?\d{1,20}$/;

export function otlpToActivitySpans(request: unknown): OtlpConversion {
  if (!isObject(request)) throw new OtlpPayloadError(`expected an ExportTraceServiceRequest object, got ${describe(request)}`);
  const resourceSpans = request.resourceSpans ?? request.resource_spans ?? [];
  if (!Array.isArray(resourceSpans)) throw new OtlpPayloadError(`resourceSpans must be an array, got ${describe(resourceSpans)}`);
  const spans: ActivitySpan[] = [];
  const rejected: SpanRejection[] = [];
  resourceSpans.forEach((rs: unknown, r) => {
    if (!isObject(rs)) throw new OtlpPayloadError(`resourceSpans[${r}] must be an object, got ${describe(rs)}`);
    const resourceObj = rs.resource ?? {};
    let resource: Attributes;
    try {
      resource = isObject(resourceObj) ? toAttributes(resourceObj.attributes, 'resource.attributes') : failShape('resource', resourceObj);
    } catch (error) {
      if (!(error instanceof SpanShapeError)) throw error;
      throw new OtlpPayloadError(`resourceSpans[${r}]: ${error.message}`);
    }
    const scopeSpans = rs.scopeSpans ?? rs.scope_spans ?? [];
    if (!Array.isArray(scopeSpans)) throw new OtlpPayloadError(`resourceSpans[${r}].scopeSpans must be an array, got ${describe(scopeSpans)}`);
    scopeSpans.forEach((ss: unknown, s) => {
      if (!isObject(ss)) throw new OtlpPayloadError(`resourceSpans[${r}].scopeSpans[${s}] must be an object, got ${describe(ss)}`);
      const list = ss.spans ?? [];
      if (!Array.isArray(list)) throw new OtlpPayloadError(`resourceSpans[${r}].scopeSpans[${s}].spans must be an array, got ${describe(list)}`);
      list.forEach((span: unknown, i) => {
        const where = `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`;
        try {
          spans.push(toActivitySpan(span, resource));
        } catch (error) {
          if (!(error instanceof SpanShapeError)) throw error;
          rejected.push({ where, reason: error.message });
        }
      });
    });
  });
  return { spans, rejected };
}

function toActivitySpan(span: unknown, resource: Attributes): ActivitySpan {
  if (!isObject(span)) failShape('span', span);
  const traceId = toId(span.traceId ?? span.trace_id, 16, 'traceId');
  if (!HEX_TRACE_ID.test(traceId) || traceId === ZERO_TRACE_ID) throw new SpanShapeError(`invalid traceId "${traceId}": must be 16 bytes, not all zero`);
  const spanId = toId(span.spanId ?? span.span_id, 8, 'spanId');
  if (!HEX_SPAN_ID.test(spanId) || spanId === ZERO_SPAN_ID) throw new SpanShapeError(`invalid spanId "${spanId}": must be 8 bytes, not all zero`);
  const rawParent = span.parentSpanId ?? span.parent_span_id;
  const parentSpanId = isEmptyId(rawParent) ? '' : toId(rawParent, 8, 'parentSpanId');
  if (parentSpanId !== '' && !HEX_SPAN_ID.test(parentSpanId)) throw new SpanShapeError(`invalid parentSpanId "${parentSpanId}": must be 8 bytes or empty`);
  const name = span.name ?? '';
  if (typeof name !== 'string') failShape('name', name);
  const startNs = toNanos(span.startTimeUnixNano ?? span.start_time_unix_nano, 'startTimeUnixNano');
  const endNs = toNanos(span.endTimeUnixNano ?? span.end_time_unix_nano, 'endTimeUnixNano');
  if (startNs === 0n) throw new SpanShapeError('startTimeUnixNano is missing or 0');
  if (endNs < startNs) throw new SpanShapeError(`endTimeUnixNano (${endNs}) is before startTimeUnixNano (${startNs})`);
  const status = span.status ?? {};
  if (!isObject(status)) failShape('status', status);
  const statusMessage = status.message ?? '';
  if (typeof statusMessage !== 'string') failShape('status.message', statusMessage);
  const eventsRaw = span.events ?? [];
  if (!Array.isArray(eventsRaw)) failShape('events', eventsRaw);
  return {
    traceId,
    spanId,
    parentSpanId,
    name,
    kind: toKind(span.kind),
    startTimeMs: nanosToMs(startNs),
    durationMs: nanosToMs(endNs - startNs),
    statusCode: toStatusCode(status.code),
    statusMessage,
    attributes: toAttributes(span.attributes, 'attributes'),
    resource,
    events: eventsRaw.map((event: unknown, i): ActivitySpanEvent => {
      if (!isObject(event)) failShape(`events[${i}]`, event);
      const eventName = event.name ?? '';
      if (typeof eventName !== 'string') failShape(`events[${i}].name`, eventName);
      const timeNs = toNanos(event.timeUnixNano ?? event.time_unix_nano, `events[${i}].timeUnixNano`);
      return { name: eventName, timeMs: nanosToMs(timeNs), attributes: toAttributes(event.attributes, `events[${i}].attributes`) };
    }),
  };
}

/**
 * Epoch ns → ms with a fraction, computed exactly as hrTimeToMs does for an SDK span's [seconds, nanos], so the
 * same span gives bit-identical timestamps and durations whichever way it arrived.
 */
export function nanosToMs(ns: bigint): number {
  return hrTimeToMs([Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)]);
}

function toNanos(value: unknown, field: string): bigint {
  if (value === undefined || value === null) return 0n;
  let ns: bigint;
  if (typeof value === 'string') {
    if (!UINT_STRING.test(value)) throw new SpanShapeError(`${field} must be a non-negative integer of nanoseconds, got "${value}"`);
    ns = BigInt(value);
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0 || !Number.isInteger(value)) throw new SpanShapeError(`${field} must be a non-negative integer of nanoseconds, got ${value}`);
    ns = BigInt(value);
  } else if (isLong(value)) {
    ns = longToBigInt(value, true);
  } else {
    failShape(field, value);
  }
  if (ns >= 1n << 64n) throw new SpanShapeError(`${field} is out of the fixed64 range: ${ns}`);
  return ns;
}

interface LongLike {
  readonly low: number;
  readonly high: number;
  readonly unsigned?: boolean;
}

function isLong(value: unknown): value is LongLike {
  return isObject(value) && typeof value.low === 'number' && typeof value.high === 'number';
}

function longToBigInt(value: LongLike, unsigned: boolean): bigint {
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return unsigned || value.unsigned ? bits : BigInt.asIntN(64, bits);
}

function isEmptyId(value: unknown): boolean {
  return value === undefined || value === null || value === '' || ((value instanceof Uint8Array || Array.isArray(value)) && value.length === 0);
}

/** Bytes (protobuf) or hex (OTLP/JSON); base64 too, as some older JSON senders wrote ids that way. */
function toId(value: unknown, bytes: number, field: string): string {
  if (value instanceof Uint8Array) {
    if (value.length !== bytes) throw new SpanShapeError(`invalid ${field}: must be ${bytes} bytes, got ${value.length}`);
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  }
  if (typeof value !== 'string') {
    if (value === undefined || value === null) throw new SpanShapeError(`${field} is missing`);
    failShape(field, value);
  }
  if (value.length === bytes * 2) return value.toLowerCase();
  if (BASE64.test(value)) {
    const decoded = Buffer.from(value, 'base64');
    if (decoded.length === bytes) return decoded.toString('hex');
  }
  throw new SpanShapeError(`invalid ${field} "${truncate(value)}": must be ${bytes * 2} hex characters`);
}

/** OTLP's SpanKind counts UNSPECIFIED as 0; the API's (and ActivitySpan's) starts at INTERNAL = 0. */
const KIND_NAMES: Record<string, SpanKindNumber> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 0,
  SPAN_KIND_SERVER: 1,
  SPAN_KIND_CLIENT: 2,
  SPAN_KIND_PRODUCER: 3,
  SPAN_KIND_CONSUMER: 4,
};

function toKind(value: unknown): SpanKindNumber {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 5) return Math.max(0, value - 1) as SpanKindNumber;
  if (typeof value === 'string' && value in KIND_NAMES) return KIND_NAMES[value] as SpanKindNumber;
  throw new SpanShapeError(`kind must be a SpanKind (0-5), got ${describe(value)}`);
}

const STATUS_NAMES: Record<string, 0 | 1 | 2> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

function toStatusCode(value: unknown): 0 | 1 | 2 {
  if (value === undefined || value === null) return 0;
  if (value === 0 || value === 1 || value === 2) return value;
  if (typeof value === 'string' && value in STATUS_NAMES) return STATUS_NAMES[value] as 0 | 1 | 2;
  throw new SpanShapeError(`status.code must be 0, 1 or 2, got ${describe(value)}`);
}

function toAttributes(list: unknown, field: string): Attributes {
  if (list === undefined || list === null) return {};
  if (!Array.isArray(list)) failShape(field, list);
  const out: Record<string, AttributeValue> = {};
  list.forEach((kv: unknown, i) => {
    if (!isObject(kv) || typeof kv.key !== 'string') throw new SpanShapeError(`${field}[${i}] must be {key, value}, got ${describe(kv)}`);
    const value = toAttributeValue(kv.value, `${field}[${i}] ("${kv.key}")`);
    // A key without a value is allowed by OTLP (empty AnyValue); it carries nothing a mapper can read.
    if (value !== undefined) out[kv.key] = value;
  });
  return out;
}

type Primitive = string | number | boolean;

function toAttributeValue(value: unknown, field: string): AttributeValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) failShape(field, value);
  if (has(value, 'arrayValue')) {
    const arr = value.arrayValue;
    if (!isObject(arr)) failShape(field, arr);
    const values = arr.values ?? [];
    if (!Array.isArray(values)) failShape(`${field}.arrayValue.values`, values);
    const out: Primitive[] = [];
    for (const item of values) {
      // Flat like SDK attributes: an array inside an array has no place and is dropped unread, so no depth of
      // nesting recurses (5,000 levels used to overflow the stack and fail the whole request).
      if (isObject(item) && has(item, 'arrayValue')) continue;
      const v = toAttributeValue(item, field);
      if (v !== undefined && !Array.isArray(v)) out.push(v as Primitive);
    }
    return out;
  }
  if (has(value, 'kvlistValue')) {
    // ActivitySpan attributes are flat like SDK attributes; a nested map is kept as JSON text, built once at the top
    // (stringifying per level would double the escaping at every level: exponential in the depth).
    return JSON.stringify(kvlistToPlain(value.kvlistValue, `${field}.kvlistValue`, 1));
  }
  return toScalar(value, field);
}

/**
 * Own, non-null property: a protobufjs message keeps proto3 defaults on its prototype ('' for every unset string
 * of a oneof), so only fields present on the wire count; plain JSON objects have only own properties anyway.
 */
function has(value: Obj, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key) && value[key] !== undefined && value[key] !== null;
}

/** Beyond this nesting depth a map or array value is replaced by a marker: bounded work for any request. */
export const MAX_NESTING = 16;
export const TOO_DEEP = '[nested too deep]';

function kvlistToPlain(kvlist: unknown, field: string, depth: number): Record<string, unknown> | string {
  if (depth > MAX_NESTING) return TOO_DEEP;
  if (!isObject(kvlist)) failShape(field, kvlist);
  const values = kvlist.values ?? [];
  if (!Array.isArray(values)) failShape(`${field}.values`, values);
  const out: Record<string, unknown> = {};
  values.forEach((kv: unknown, i) => {
    if (!isObject(kv) || typeof kv.key !== 'string') throw new SpanShapeError(`${field}.values[${i}] must be {key, value}, got ${describe(kv)}`);
    out[kv.key] = anyValueToPlain(kv.value, `${field}.values[${i}]`, depth + 1);
  });
  return out;
}

function anyValueToPlain(value: unknown, field: string, depth: number): unknown {
  if (value === undefined || value === null) return null;
  if (depth > MAX_NESTING) return TOO_DEEP;
  if (!isObject(value)) failShape(field, value);
  if (has(value, 'kvlistValue')) return kvlistToPlain(value.kvlistValue, `${field}.kvlistValue`, depth);
  if (has(value, 'arrayValue')) {
    const arr = value.arrayValue;
    if (!isObject(arr)) failShape(field, arr);
    const items = arr.values ?? [];
    if (!Array.isArray(items)) failShape(`${field}.arrayValue.values`, items);
    return items.map((item: unknown, i) => anyValueToPlain(item, `${field}.arrayValue.values[${i}]`, depth + 1));
  }
  return toScalar(value, field) ?? null;
}

function toScalar(value: Obj, field: string): Primitive | undefined {
  if (has(value, 'stringValue')) {
    if (typeof value.stringValue !== 'string') failShape(`${field}.stringValue`, value.stringValue);
    return value.stringValue;
  }
  if (has(value, 'boolValue')) {
    if (typeof value.boolValue !== 'boolean') failShape(`${field}.boolValue`, value.boolValue);
    return value.boolValue;
  }
  if (has(value, 'intValue')) {
    const v = value.intValue;
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && INT_STRING.test(v)) return Number(v);
    if (isLong(v)) return Number(longToBigInt(v, false));
    failShape(`${field}.intValue`, v);
  }
  if (has(value, 'doubleValue')) {
    const v = value.doubleValue;
    if (typeof v === 'number') return v;
    // OTLP/JSON writes NaN and the infinities as strings.
    if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
    failShape(`${field}.doubleValue`, v);
  }
  if (has(value, 'bytesValue')) {
    const v = value.bytesValue;
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    if (typeof v === 'string') return v;
    failShape(`${field}.bytesValue`, v);
  }
  return undefined;
}

function failShape(field: string, value: unknown): never {
  throw new SpanShapeError(`${field} has the wrong type: got ${describe(value)}`);
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string "${truncate(value)}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
