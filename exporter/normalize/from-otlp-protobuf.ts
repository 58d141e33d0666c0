/**
 * Reads an ExportTraceServiceRequest from its protobuf bytes straight into ActivitySpans and span rejections: the
 * result otlpToActivitySpans(protobufjs decode) gives, without building the decoded message (most of the ingest CPU).
 */
import type { ActivitySpan, ActivitySpanEvent, AttributeValue, Attributes, SpanKindNumber } from 'otel-activity/contract';
import { hrTimeToMs } from './from-readable-span';
import { nanosToMs, type OtlpConversion, type SpanRejection } from './from-otlp';
import { enterMessage, leaveMessage, readKeyValueInto } from './otlp-any-value-proto';
import { WIRE_DELIMITED, WIRE_FIXED32, WIRE_FIXED64, WIRE_VARINT, WireReader } from './protobuf-wire';

export { ProtobufDecodeError } from './protobuf-wire';

type MutableSpan = { -readonly [K in keyof ActivitySpan]: ActivitySpan[K] };

/** Throws ProtobufDecodeError when the body is not a well-formed ExportTraceServiceRequest. */
export function otlpProtobufToActivitySpans(body: Uint8Array): OtlpConversion {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const reader = new WireReader(buf);
  const out: Conversion = { spans: [], rejected: [] };
  let r = 0;
  while (reader.pos < reader.end) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_DELIMITED) readResourceSpans(reader, r++, out);
    else reader.skip(tag & 7, 0, tag >>> 3);
  }
  return out;
}

interface Conversion {
  spans: ActivitySpan[];
  rejected: SpanRejection[];
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

function readResourceSpans(reader: WireReader, r: number, out: Conversion): void {
  const outerEnd = reader.end;
  const end = enterMessage(reader, 1);
  reader.end = end;
  // The resource may follow its spans on the wire (and a repeated resource field merges): attached once all is read.
  const resource: Record<string, AttributeValue> = {};
  const first = out.spans.length;
  let s = 0;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_DELIMITED) readResource(reader, resource);
    else if (field === 2 && wire === WIRE_DELIMITED) readScopeSpans(reader, r, s++, out);
    else if (field === 3 && wire === WIRE_DELIMITED) reader.string();
    else reader.skip(wire, 1, field);
  }
  leaveMessage(reader, end, outerEnd);
  for (let i = first; i < out.spans.length; i++) (out.spans[i] as MutableSpan).resource = resource;
}

function readResource(reader: WireReader, attributes: Record<string, AttributeValue>): void {
  const outerEnd = reader.end;
  const end = enterMessage(reader, 2);
  reader.end = end;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_DELIMITED) readKeyValueInto(reader, 3, attributes);
    else if (field === 2 && wire === WIRE_VARINT) reader.uint32();
    else if (field === 3 && wire === WIRE_DELIMITED) readEntityRef(reader);
    else reader.skip(wire, 2, field);
  }
  leaveMessage(reader, end, outerEnd);
}

/** Read only to refuse what protobufjs refuses (invalid UTF-8, bad lengths); no row holds it. */
function readEntityRef(reader: WireReader): void {
  const outerEnd = reader.end;
  const end = enterMessage(reader, 3);
  reader.end = end;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field >= 1 && field <= 4 && wire === WIRE_DELIMITED) reader.string();
    else reader.skip(wire, 3, field);
  }
  leaveMessage(reader, end, outerEnd);
}

function readScopeSpans(reader: WireReader, r: number, s: number, out: Conversion): void {
  const outerEnd = reader.end;
  const end = enterMessage(reader, 2);
  reader.end = end;
  let i = 0;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 2 && wire === WIRE_DELIMITED) {
      const result = readSpan(reader);
      if (typeof result === 'string') out.rejected.push({ where: `resourceSpans[${r}].scopeSpans[${s}].spans[${i}]`, reason: result });
      else out.spans.push(result);
      i++;
    } else if (field === 1 && wire === WIRE_DELIMITED) readScope(reader);
    else if (field === 3 && wire === WIRE_DELIMITED) reader.string();
    else reader.skip(wire, 2, field);
  }
  leaveMessage(reader, end, outerEnd);
}

/** The instrumentation scope is no part of an ActivitySpan: read only to refuse what protobufjs refuses. */
function readScope(reader: WireReader): void {
  const outerEnd = reader.end;
  const end = enterMessage(reader, 3);
  reader.end = end;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if ((field === 1 || field === 2) && wire === WIRE_DELIMITED) reader.string();
    else if (field === 3 && wire === WIRE_DELIMITED) readKeyValueInto(reader, 4, null);
    else if (field === 4 && wire === WIRE_VARINT) reader.uint32();
    else reader.skip(wire, 3, field);
  }
  leaveMessage(reader, end, outerEnd);
}

/** Where an id's bytes are in the body ([start, end)); -1: the field was absent or empty. */
interface IdExtent {
  start: number;
  end: number;
}

/** A span, or the reason it is rejected (the same reason, checked in the same order, as from-otlp.ts gives). */
function readSpan(reader: WireReader): ActivitySpan | string {
  const outerEnd = reader.end;
  const end = enterMessage(reader, 3);
  reader.end = end;
  const traceId: IdExtent = { start: -1, end: -1 };
  const spanId: IdExtent = { start: -1, end: -1 };
  const parentId: IdExtent = { start: -1, end: -1 };
  let name = '';
  let kind = 0;
  let startLo = 0;
  let startHi = 0;
  let endLo = 0;
  let endHi = 0;
  const attributes: Record<string, AttributeValue> = {};
  const events: ActivitySpanEvent[] = [];
  const status = { code: 0, message: '' };
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        if (wire !== WIRE_DELIMITED) break;
        readId(reader, traceId);
        continue;
      case 2:
        if (wire !== WIRE_DELIMITED) break;
        readId(reader, spanId);
        continue;
      case 3:
        if (wire !== WIRE_DELIMITED) break;
        reader.string();
        continue;
      case 4:
        if (wire !== WIRE_DELIMITED) break;
        readId(reader, parentId);
        continue;
      case 5:
        if (wire !== WIRE_DELIMITED) break;
        name = reader.string();
        continue;
      case 6:
        if (wire !== WIRE_VARINT) break;
        kind = reader.uint32() | 0;
        continue;
      case 7:
        if (wire !== WIRE_FIXED64) break;
        reader.fixed64();
        startLo = reader.lo;
        startHi = reader.hi;
        continue;
      case 8:
        if (wire !== WIRE_FIXED64) break;
        reader.fixed64();
        endLo = reader.lo;
        endHi = reader.hi;
        continue;
      case 9:
        if (wire !== WIRE_DELIMITED) break;
        readKeyValueInto(reader, 4, attributes);
        continue;
      case 10:
      case 12:
      case 14:
        if (wire !== WIRE_VARINT) break;
        reader.uint32();
        continue;
      case 11:
        if (wire !== WIRE_DELIMITED) break;
        events.push(readEvent(reader));
        continue;
      case 13:
        if (wire !== WIRE_DELIMITED) break;
        readLink(reader);
        continue;
      case 15:
        if (wire !== WIRE_DELIMITED) break;
        readStatus(reader, status);
        continue;
      case 16:
        if (wire !== WIRE_FIXED32) break;
        reader.fixed32();
        continue;
    }
    reader.skip(wire, 3, field);
  }
  leaveMessage(reader, end, outerEnd);

  const buf = reader.buf;
  const traceHex = idHex(buf, traceId, 16, 'traceId');
  if (traceHex === ZERO_TRACE_ID) return `invalid traceId "${traceHex}": must be 16 bytes, not all zero`;
  if (traceHex.length !== 32) return traceHex;
  const spanHex = idHex(buf, spanId, 8, 'spanId');
  if (spanHex === ZERO_SPAN_ID) return `invalid spanId "${spanHex}": must be 8 bytes, not all zero`;
  if (spanHex.length !== 16) return spanHex;
  let parentSpanId = '';
  if (parentId.start >= 0) {
    if (parentId.end - parentId.start !== 8) return `invalid parentSpanId: must be 8 bytes, got ${parentId.end - parentId.start}`;
    parentSpanId = buf.hexSlice(parentId.start, parentId.end);
  }
  let startTimeMs: number;
  let durationMs: number;
  // Below 2^53 ns (year 2255) the ns fit a double exactly: no BigInt per span.
  if (startHi < SAFE_HI && endHi < SAFE_HI) {
    const startNs = startHi * 4294967296 + startLo;
    const endNs = endHi * 4294967296 + endLo;
    if (startNs === 0) return 'startTimeUnixNano is missing or 0';
    if (endNs < startNs) return `endTimeUnixNano (${endNs}) is before startTimeUnixNano (${startNs})`;
    startTimeMs = safeNanosToMs(startNs);
    durationMs = safeNanosToMs(endNs - startNs);
  } else {
    const startNs = (BigInt(startHi) << 32n) | BigInt(startLo);
    const endNs = (BigInt(endHi) << 32n) | BigInt(endLo);
    if (startNs === 0n) return 'startTimeUnixNano is missing or 0';
    if (endNs < startNs) return `endTimeUnixNano (${endNs}) is before startTimeUnixNano (${startNs})`;
    startTimeMs = nanosToMs(startNs);
    durationMs = nanosToMs(endNs - startNs);
  }
  if (kind < 0 || kind > 5) return `kind must be a SpanKind (0-5), got number ${kind}`;
  if (status.code < 0 || status.code > 2) return `status.code must be 0, 1 or 2, got number ${status.code}`;
  const span: MutableSpan = {
    traceId: traceHex,
    spanId: spanHex,
    parentSpanId,
    name,
    // OTLP's SpanKind counts UNSPECIFIED as 0; the API's (and ActivitySpan's) starts at INTERNAL = 0.
    kind: Math.max(0, kind - 1) as SpanKindNumber,
    startTimeMs,
    durationMs,
    statusCode: status.code as 0 | 1 | 2,
    statusMessage: status.message,
    attributes,
    resource: NO_ATTRIBUTES,
    events,
  };
  return span;
}

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
/** hi half of 2^53: a fixed64 below it is exact as a double. */
const SAFE_HI = 0x200000;

/** Last occurrence wins, and an empty one clears it (proto3 implicit presence), as protobufjs decodes a bytes field. */
function readId(reader: WireReader, extent: IdExtent): void {
  const start = reader.bytes();
  const empty = reader.pos === start;
  extent.start = empty ? -1 : start;
  extent.end = empty ? -1 : reader.pos;
}

/** The id as lowercase hex, or the rejection reason (never 2·bytes long) when it is not `bytes` bytes. */
function idHex(buf: Buffer, extent: IdExtent, bytes: number, field: string): string {
  // An unset bytes field decodes to protobufjs's empty-array default, which from-otlp.ts refuses by its type.
  if (extent.start < 0) return `${field} has the wrong type: got an array`;
  const length = extent.end - extent.start;
  if (length !== bytes) return `invalid ${field}: must be ${bytes} bytes, got ${length}`;
  return buf.hexSlice(extent.start, extent.end);
}

/** nanosToMs for ns below 2^53, without BigInt: the same [seconds, nanos] split, so bit-identical results. */
function safeNanosToMs(ns: number): number {
  let seconds = Math.floor(ns / 1e9);
  let nanos = ns - seconds * 1e9;
  // The division may round across a whole second; the remainder, exact, says which way.
  if (nanos < 0) {
    seconds -= 1;
    nanos += 1e9;
  } else if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return hrTimeToMs([seconds, nanos]);
}

function readEvent(reader: WireReader): ActivitySpanEvent {
  const outerEnd = reader.end;
  const end = enterMessage(reader, 4);
  reader.end = end;
  let name = '';
  let lo = 0;
  let hi = 0;
  const attributes: Record<string, AttributeValue> = {};
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_FIXED64) {
      reader.fixed64();
      lo = reader.lo;
      hi = reader.hi;
    } else if (field === 2 && wire === WIRE_DELIMITED) name = reader.string();
    else if (field === 3 && wire === WIRE_DELIMITED) readKeyValueInto(reader, 5, attributes);
    else if (field === 4 && wire === WIRE_VARINT) reader.uint32();
    else reader.skip(wire, 4, field);
  }
  leaveMessage(reader, end, outerEnd);
  const timeMs = hi < SAFE_HI ? safeNanosToMs(hi * 4294967296 + lo) : nanosToMs((BigInt(hi) << 32n) | BigInt(lo));
  return { name, timeMs, attributes };
}

/** Links are no part of an ActivitySpan: read only to refuse what protobufjs refuses. */
function readLink(reader: WireReader): void {
  const outerEnd = reader.end;
  const end = enterMessage(reader, 4);
  reader.end = end;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if ((field === 1 || field === 2) && wire === WIRE_DELIMITED) reader.bytes();
    else if (field === 3 && wire === WIRE_DELIMITED) reader.string();
    else if (field === 4 && wire === WIRE_DELIMITED) readKeyValueInto(reader, 5, null);
    else if (field === 5 && wire === WIRE_VARINT) reader.uint32();
    else if (field === 6 && wire === WIRE_FIXED32) reader.fixed32();
    else reader.skip(wire, 4, field);
  }
  leaveMessage(reader, end, outerEnd);
}

/** A repeated status field merges into the first, field by field, as protobufjs decodes it. */
function readStatus(reader: WireReader, status: { code: number; message: string }): void {
  const outerEnd = reader.end;
  const end = enterMessage(reader, 4);
  reader.end = end;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 2 && wire === WIRE_DELIMITED) status.message = reader.string();
    else if (field === 3 && wire === WIRE_VARINT) status.code = reader.uint32() | 0;
    else reader.skip(wire, 4, field);
  }
  leaveMessage(reader, end, outerEnd);
}

declare global {
  interface Buffer {
    /** Node's own binding behind toString('hex', start, end), without its argument checks. */
    hexSlice(start: number, end: number): string;
  }
}
