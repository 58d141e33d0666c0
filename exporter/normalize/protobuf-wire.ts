/**
 * Protobuf wire-format reading over one Buffer (varints, fixed-width numbers, length-delimited fields, skipping by wire
 * type), for readers written for one message shape. Faults throw ProtobufDecodeError with protobufjs's messages.
 */

/** The body is not a well-formed protobuf message of the expected type: the request is answered with 400. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

/** protoc's default recursion limit, which protobufjs applies too: a message nested deeper is refused. */
export const MAX_MESSAGE_DEPTH = 100;

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

// ignoreBOM keeps a leading U+FEFF, as protobufjs does; fatal refuses invalid UTF-8 as proto3's string fields require.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Short ASCII strings repeat span after span (attribute keys, routes, methods, user agents, service names): each is
 * kept in a direct-mapped table and returned again when the same bytes come, instead of a new string per span that
 * the GC then collects (and that each row would hold its own copy of). A slot holds the last string hashed to it.
 */
const INTERN_SLOTS = 4096;
const INTERN_MAX_LENGTH = 128;
const interned: Array<string | undefined> = new Array<string | undefined>(INTERN_SLOTS);

export class WireReader {
  pos = 0;
  /** End of the message being read: nothing past it may be read (a field's length may not cross it). */
  end: number;
  /** Halves of the last 64-bit value read (lo and hi, unsigned 32-bit each). */
  lo = 0;
  hi = 0;

  constructor(readonly buf: Buffer) {
    this.end = buf.length;
  }

  outOfRange(length = 1): ProtobufDecodeError {
    return new ProtobufDecodeError(`index out of range: ${this.pos} + ${length} > ${this.end}`);
  }

  /** A field tag (field number << 3 | wire type), at most 5 bytes and 32 bits. */
  tag(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) throw this.outOfRange();
    let b = buf[pos++]!;
    if (b < 128) {
      this.pos = pos;
      return b;
    }
    let value = b & 127;
    for (let shift = 7; shift < 35; shift += 7) {
      if (pos >= this.end) {
        this.pos = pos;
        throw this.outOfRange();
      }
      b = buf[pos++]!;
      if (shift === 28) {
        this.pos = pos;
        if (b >= 128 || (b & 112) !== 0) throw new ProtobufDecodeError('invalid tag encoding');
        return (value | (b << 28)) >>> 0;
      }
      value |= (b & 127) << shift;
      if (b < 128) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw new ProtobufDecodeError('invalid tag encoding');
  }

  /** A varint of up to 10 bytes, kept to its low 32 bits (uint32, int32 and enum fields). */
  uint32(): number {
    this.varint64();
    return this.lo;
  }

  /** A varint of up to 10 bytes into lo and hi. */
  varint64(): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) {
        this.pos = pos;
        throw this.outOfRange();
      }
      const b = buf[pos++]!;
      if (i < 4) lo |= (b & 127) << (i * 7);
      else if (i === 4) {
        lo |= (b & 127) << 28;
        hi = (b & 127) >>> 4;
      } else hi |= (b & 127) << (i * 7 - 32);
      if (b < 128) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    this.pos = pos;
    throw new ProtobufDecodeError('invalid varint encoding');
  }

  /** A length prefix: at most 5 bytes, below 2^31. */
  size(): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= this.end) {
        this.pos = pos;
        throw this.outOfRange();
      }
      const b = buf[pos++]!;
      value |= (b & 127) << shift;
      if (b < 128) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    if (pos >= this.end) {
      this.pos = pos;
      throw this.outOfRange();
    }
    const last = buf[pos++]!;
    this.pos = pos;
    if (last > 7) throw new ProtobufDecodeError('invalid length encoding');
    return (value | (last << 28)) >>> 0;
  }

  /** The end offset of a length-delimited field that starts here, checked against the enclosing end. */
  delimitedEnd(): number {
    const length = this.size();
    if (length > this.end - this.pos) throw this.outOfRange(length);
    return this.pos + length;
  }

  bool(): boolean {
    this.varint64();
    return this.lo !== 0 || this.hi !== 0;
  }

  /** An int64 as the JS number nearest to it (one rounding of the exact value, like Number(bigint)). */
  int64(): number {
    this.varint64();
    return (this.hi | 0) * 4294967296 + this.lo;
  }

  /** A fixed64 into lo and hi. */
  fixed64(): void {
    if (this.end - this.pos < 8) throw this.outOfRange(8);
    this.lo = this.buf.readUInt32LE(this.pos);
    this.hi = this.buf.readUInt32LE(this.pos + 4);
    this.pos += 8;
  }

  fixed32(): number {
    if (this.end - this.pos < 4) throw this.outOfRange(4);
    const value = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  double(): number {
    if (this.end - this.pos < 8) throw this.outOfRange(8);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** A string field, refused unless it is valid UTF-8. */
  string(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    const buf = this.buf;
    const length = end - start;
    // Most strings on the wire are short ASCII; latin1Slice of ASCII bytes is the same text without a decoder's setup.
    let hash = length;
    for (let i = start; i < end; i++) {
      const b = buf[i]!;
      if (b >= 128) return decodeUtf8(buf, start, end);
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    if (length > INTERN_MAX_LENGTH) return buf.latin1Slice(start, end);
    const slot = (hash ^ (hash >>> 15)) & (INTERN_SLOTS - 1);
    const seen = interned[slot];
    if (seen !== undefined && seen.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (seen.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return seen;
    }
    const text = buf.latin1Slice(start, end);
    interned[slot] = text;
    return text;
  }

  /** A bytes field: returns where its bytes start in buf; they end at pos. */
  bytes(): number {
    const end = this.delimitedEnd();
    const start = this.pos;
    this.pos = end;
    return start;
  }

  /** Skips a field that is not read (unknown, or a known number with another wire type), as protobufjs does. */
  skip(wireType: number, depth: number, field: number): void {
    if (depth > MAX_MESSAGE_DEPTH) throw new ProtobufDecodeError('max depth exceeded');
    if (field === 0) throw new ProtobufDecodeError('illegal tag: field number 0');
    switch (wireType) {
      case WIRE_VARINT:
        do {
          if (this.pos >= this.end) throw this.outOfRange();
        } while (this.buf[this.pos++]! & 128);
        return;
      case WIRE_FIXED64:
        return this.skipBytes(8);
      case WIRE_DELIMITED:
        return this.skipBytes(this.size());
      case 3:
        for (;;) {
          const tag = this.tag();
          const nested = tag >>> 3;
          if (nested === 0) throw new ProtobufDecodeError('illegal tag: field number 0');
          if ((tag & 7) === 4) {
            if (nested !== field) throw new ProtobufDecodeError('invalid end group tag');
            return;
          }
          this.skip(tag & 7, depth + 1, nested);
        }
      case WIRE_FIXED32:
        return this.skipBytes(4);
      default:
        throw new ProtobufDecodeError(`invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }

  private skipBytes(length: number): void {
    if (length > this.end - this.pos) throw this.outOfRange(length);
    this.pos += length;
  }
}

function decodeUtf8(buf: Buffer, start: number, end: number): string {
  try {
    return strictUtf8.decode(buf.subarray(start, end));
  } catch (error) {
    throw new ProtobufDecodeError((error as Error).message);
  }
}

declare global {
  interface Buffer {
    /** Node's own binding behind toString('latin1', start, end), without its argument checks. */
    latin1Slice(start: number, end: number): string;
  }
}
