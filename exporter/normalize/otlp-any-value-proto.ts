/**
 * OTLP AnyValue, KeyValue and attribute lists read from protobuf wire bytes, and turned into ActivitySpan attribute
 * values by the same rules from-otlp.ts applies to a decoded message (flat arrays, maps as JSON text, bounded depth).
 */
import type { AttributeValue } from 'otel-activity/contract';
import { MAX_NESTING, TOO_DEEP } from './from-otlp';
import { ProtobufDecodeError, WIRE_DELIMITED, WIRE_FIXED64, WIRE_VARINT, MAX_MESSAGE_DEPTH, type WireReader } from './protobuf-wire';

type Primitive = string | number | boolean;

/** An AnyValue on the wire with no value the mapping reads (none set, or a string table index): dropped like an unset one. */
const EMPTY = Symbol('empty AnyValue');

class ArrayNode {
  readonly values: ValueNode[] = [];
}

class KvListNode {
  /** Key and value (null: the KeyValue had no value field) in wire order. */
  readonly entries: Array<[string, ValueNode | null]> = [];
}

type ValueNode = Primitive | typeof EMPTY | ArrayNode | KvListNode;

/** Enters a nested message at `depth` (the request is 0): its end, checked against the enclosing one. */
export function enterMessage(reader: WireReader, depth: number): number {
  const length = reader.size();
  if (depth > MAX_MESSAGE_DEPTH) throw new ProtobufDecodeError('max depth exceeded');
  if (length > reader.end - reader.pos) throw new ProtobufDecodeError('index out of range');
  return reader.pos + length;
}

/** Leaves a nested message: restores the enclosing end; a field that ran past the message's end is a fault. */
export function leaveMessage(reader: WireReader, end: number, outerEnd: number): void {
  if (reader.pos !== end) throw new ProtobufDecodeError('index out of range');
  reader.end = outerEnd;
}

/**
 * Reads one KeyValue message (at `depth`) into `out`, as from-otlp's toAttributes does for each list element.
 * `out` null: the list is validated and dropped (scope and link attributes, which no row holds).
 */
export function readKeyValueInto(reader: WireReader, depth: number, out: Record<string, AttributeValue> | null): void {
  const value = readKeyValue(reader, depth);
  if (out === null) return;
  const key = keyRead;
  const converted = toAttributeValue(value);
  // A key without a value is allowed by OTLP (empty AnyValue); it carries nothing a mapper can read.
  if (converted !== undefined) out[key] = converted;
}

/** An AnyValue message merged into `existing` (a repeated message field merges, as protobufjs decodes it): last member set wins. */
function readAnyValue(reader: WireReader, depth: number, existing: ValueNode | null): ValueNode {
  const outerEnd = reader.end;
  const end = enterMessage(reader, depth);
  reader.end = end;
  let node: ValueNode = existing ?? EMPTY;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    switch (field) {
      case 1:
        if (wire !== WIRE_DELIMITED) break;
        node = reader.string();
        continue;
      case 2:
        if (wire !== WIRE_VARINT) break;
        node = reader.bool();
        continue;
      case 3:
        if (wire !== WIRE_VARINT) break;
        node = reader.int64();
        continue;
      case 4:
        if (wire !== WIRE_FIXED64) break;
        node = reader.double();
        continue;
      case 5:
        if (wire !== WIRE_DELIMITED) break;
        node = readArrayValue(reader, depth + 1, node instanceof ArrayNode ? node : new ArrayNode());
        continue;
      case 6:
        if (wire !== WIRE_DELIMITED) break;
        node = readKvList(reader, depth + 1, node instanceof KvListNode ? node : new KvListNode());
        continue;
      case 7: {
        if (wire !== WIRE_DELIMITED) break;
        const start = reader.bytes();
        node = reader.buf.base64Slice(start, reader.pos);
        continue;
      }
      case 8:
        if (wire !== WIRE_VARINT) break;
        reader.uint32();
        node = EMPTY;
        continue;
    }
    reader.skip(wire, depth, field);
  }
  leaveMessage(reader, end, outerEnd);
  return node;
}

function readArrayValue(reader: WireReader, depth: number, node: ArrayNode): ArrayNode {
  const outerEnd = reader.end;
  const end = enterMessage(reader, depth);
  reader.end = end;
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_DELIMITED) node.values.push(readAnyValue(reader, depth + 1, null));
    else reader.skip(tag & 7, depth, tag >>> 3);
  }
  leaveMessage(reader, end, outerEnd);
  return node;
}

function readKvList(reader: WireReader, depth: number, node: KvListNode): KvListNode {
  const outerEnd = reader.end;
  const end = enterMessage(reader, depth);
  reader.end = end;
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag >>> 3 === 1 && (tag & 7) === WIRE_DELIMITED) {
      const value = readKeyValue(reader, depth + 1);
      node.entries.push([keyRead, value]);
    } else reader.skip(tag & 7, depth, tag >>> 3);
  }
  leaveMessage(reader, end, outerEnd);
  return node;
}

/** Key of the KeyValue readKeyValue read last: returned beside its value without a tuple per attribute. */
let keyRead = '';

/** One KeyValue message: returns its value (null if it had none) and leaves its key in keyRead. */
function readKeyValue(reader: WireReader, depth: number): ValueNode | null {
  const outerEnd = reader.end;
  const end = enterMessage(reader, depth);
  reader.end = end;
  let key = '';
  let value: ValueNode | null = null;
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 1 && wire === WIRE_DELIMITED) key = reader.string();
    else if (field === 2 && wire === WIRE_DELIMITED) value = readAnyValue(reader, depth + 1, value);
    else if (field === 3 && wire === WIRE_VARINT) reader.uint32();
    else reader.skip(wire, depth, field);
  }
  leaveMessage(reader, end, outerEnd);
  keyRead = key;
  return value;
}

function toAttributeValue(node: ValueNode | null): AttributeValue | undefined {
  if (node === null || node === EMPTY) return undefined;
  if (node instanceof ArrayNode) {
    const out: Primitive[] = [];
    for (const item of node.values) {
      // Flat like SDK attributes: an array inside an array has no place and is dropped.
      if (item instanceof ArrayNode) continue;
      const v = toAttributeValue(item);
      if (v !== undefined && !Array.isArray(v)) out.push(v as Primitive);
    }
    return out;
  }
  // A nested map is kept as JSON text, built once at the top (as from-otlp.ts does, for the same reason).
  if (node instanceof KvListNode) return JSON.stringify(kvlistToPlain(node, 1));
  return node;
}

function kvlistToPlain(node: KvListNode, depth: number): Record<string, unknown> | string {
  if (depth > MAX_NESTING) return TOO_DEEP;
  const out: Record<string, unknown> = {};
  for (const [key, value] of node.entries) out[key] = anyValueToPlain(value, depth + 1);
  return out;
}

function anyValueToPlain(node: ValueNode | null, depth: number): unknown {
  if (node === null) return null;
  if (depth > MAX_NESTING) return TOO_DEEP;
  if (node === EMPTY) return null;
  if (node instanceof KvListNode) return kvlistToPlain(node, depth);
  if (node instanceof ArrayNode) return node.values.map((item) => anyValueToPlain(item, depth + 1));
  return node;
}

declare global {
  interface Buffer {
    /** Node's own binding behind toString('base64', start, end), without its argument checks. */
    base64Slice(start: number, end: number): string;
  }
}
