/**
 * A growable protobuf writer for the OTLP encoder: varints, fixed-width numbers, strings and nested messages
 * written straight into one Buffer. A nested message reserves one length byte and moves its bytes only in the
 * rare case it grows past 127 bytes, so no size pass and no per-field objects are needed.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;
const TWO_POW_32 = 4294967296;

/** Value of each hex digit by character code, -1 for any other character. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) HEX_VALUE[97 + c] = HEX_VALUE[65 + c] = 10 + c;

export class ProtoWriter {
  private buf: Buffer;
  private pos = 0;
  /** Buffers of bodies given back, reused for the next batches (at most two kept). */
  private readonly spare: Buffer[] = [];
  /** Bodies handed out and not given back yet, with the buffer each one is a view of. */
  private readonly lent = new WeakMap<Uint8Array, Buffer>();

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /**
   * The bytes written so far, as a view of the writer's buffer, which the body keeps: the writer goes on in a spare
   * buffer. A fresh buffer per batch is fresh pages the kernel must fault in and zero (measured: as much CPU as the
   * whole encode of a 512-span batch), so bodies given back with release() are written over by later batches.
   */
  finish(): Uint8Array {
    const body = this.buf.subarray(0, this.pos);
    this.lent.set(body, this.buf);
    this.buf = this.spare.pop() ?? Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
    return body;
  }

  /** Bytes written since the last finish() or truncate(0). */
  get length(): number {
    return this.pos;
  }

  /** The bytes written so far, as a view valid until the next write (for copying into another writer). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Forgets what was written past `length` (a message that failed half-way, or a group copied out). */
  truncate(length: number): void {
    if (length < this.pos) this.pos = length;
  }

  /** Bytes copied as they are: an already encoded run of fields. */
  raw(bytes: Uint8Array): void {
    const length = bytes.length;
    this.ensure(length);
    // A short loop beats TypedArray.set's call for the few bytes of an encoded key.
    if (length <= 32) {
      const buf = this.buf;
      const pos = this.pos;
      for (let i = 0; i < length; i++) buf[pos + i] = bytes[i]!;
    } else {
      this.buf.set(bytes, this.pos);
    }
    this.pos += length;
  }

  /** Gives back a body from finish() once nothing reads it any more (sent, refused, or copied to disk). */
  release(body: Uint8Array): void {
    const backing = this.lent.get(body);
    if (backing === undefined) return;
    this.lent.delete(body);
    if (this.spare.length < 2) this.spare.push(backing);
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  private rawVarint(value: number): void {
    const buf = this.buf;
    let pos = this.pos;
    while (value > 127) {
      buf[pos++] = (value & 127) | 128;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  private tag(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  /** A uint32 field (counts, enums, bool as 0/1). */
  uint32(field: number, value: number): void {
    this.ensure(10);
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value >>> 0);
  }

  /** An int64 field from a safe integer: negative values take ten bytes, as two's complement. */
  int64(field: number, value: number): void {
    this.ensure(16);
    this.tag(field, WIRE_VARINT);
    if (value >= 0 && value < TWO_POW_32) {
      this.rawVarint(value);
      return;
    }
    let lo = value % TWO_POW_32;
    let hi = Math.floor(value / TWO_POW_32);
    if (lo < 0) lo += TWO_POW_32;
    lo >>>= 0;
    hi >>>= 0;
    const buf = this.buf;
    let pos = this.pos;
    while (hi > 0 || lo > 127) {
      buf[pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[pos++] = lo;
    this.pos = pos;
  }

  double(field: number, value: number): void {
    this.ensure(14);
    this.tag(field, WIRE_FIXED64);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  fixed32(field: number, value: number): void {
    this.ensure(10);
    this.tag(field, WIRE_FIXED32);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** A fixed64 field given as its low and high 32 bits. */
  fixed64(field: number, lo: number, hi: number): void {
    this.ensure(14);
    this.tag(field, WIRE_FIXED64);
    this.buf.writeUInt32LE(lo >>> 0, this.pos);
    this.buf.writeUInt32LE(hi >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /** Nanoseconds since the epoch from an OTel HrTime, exactly (the product overflows a double's 53 bits). */
  hrTime(field: number, time: readonly [number, number]): void {
    this.hrTimeOf(field, time[0], time[1]);
  }

  /** hrTime() from the HrTime's two numbers, for callers that have them without the array. */
  hrTimeOf(field: number, seconds: number, nanos: number): void {
    const high16 = Math.floor(seconds / 65536);
    const low16 = seconds - high16 * 65536;
    // seconds * 1e9 + nanos = high16 * 1e9 * 2^16 + (low16 * 1e9 + nanos); both parts are exact below 2^53.
    const upper = high16 * 1e9;
    const lower = low16 * 1e9 + nanos;
    let lo = (upper % 65536) * 65536 + (lower % TWO_POW_32);
    let hi = Math.floor(upper / 65536) + Math.floor(lower / TWO_POW_32);
    if (lo >= TWO_POW_32) {
      lo -= TWO_POW_32;
      hi += 1;
    }
    this.fixed64(field, lo, hi);
  }

  string(field: number, value: string): void {
    const length = value.length;
    // Three bytes per UTF-16 unit is the UTF-8 worst case: short strings need no byte count first.
    this.ensure(length * 3 + 15);
    this.tag(field, WIRE_LENGTH);
    if (length * 3 < 128) {
      const at = this.pos++;
      const written = this.utf8(value, this.pos);
      this.buf[at] = written;
      this.pos += written;
      return;
    }
    this.rawVarint(Buffer.byteLength(value, 'utf8'));
    this.pos += this.utf8(value, this.pos);
  }

  /** Writes value at pos; ASCII by hand (a native call costs more than a short loop), the rest by Buffer. */
  private utf8(value: string, pos: number): number {
    const length = value.length;
    if (length < 48) {
      const buf = this.buf;
      let i = 0;
      for (; i < length; i++) {
        const c = value.charCodeAt(i);
        if (c > 127) break;
        buf[pos + i] = c;
      }
      if (i === length) return length;
    }
    return this.buf.write(value, pos, 'utf8');
  }

  /** A bytes field from lowercase hex (trace and span ids). */
  hexBytes(field: number, hex: string): void {
    // One length byte holds up to 127: real ids are 16 or 8 bytes, anything longer takes the general path.
    if (hex.length > 254) {
      this.bytes(field, Buffer.from(hex, 'hex'));
      return;
    }
    this.ensure(hex.length / 2 + 15);
    this.tag(field, WIRE_LENGTH);
    const at = this.pos++;
    let written = hex.length <= 32 ? this.hexByHand(hex, this.pos) : -1;
    if (written < 0) written = this.buf.write(hex, this.pos, 'hex');
    this.buf[at] = written;
    this.pos += written;
  }

  /**
   * Decodes an id's hex at pos by table (a native Buffer.write costs more than the loop for 16 or 32 digits);
   * -1 when it is not plain even-length hex, for Buffer.write's own rules on such input.
   */
  private hexByHand(hex: string, pos: number): number {
    const length = hex.length;
    if ((length & 1) !== 0) return -1;
    const buf = this.buf;
    for (let i = 0; i < length; i += 2) {
      const a = hex.charCodeAt(i);
      const b = hex.charCodeAt(i + 1);
      const hi = a < 256 ? HEX_VALUE[a]! : -1;
      const lo = b < 256 ? HEX_VALUE[b]! : -1;
      if ((hi | lo) < 0) return -1;
      buf[pos + (i >> 1)] = (hi << 4) | lo;
    }
    return length >> 1;
  }

  bytes(field: number, value: Uint8Array): void {
    this.ensure(value.length + 15);
    this.tag(field, WIRE_LENGTH);
    this.rawVarint(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Starts a nested message; returns the mark that end() takes. */
  begin(field: number): number {
    this.ensure(16);
    this.tag(field, WIRE_LENGTH);
    return this.pos++;
  }

  /**
   * Starts a nested message expected to be 128 bytes to 16 KiB long (a span): two length bytes are reserved, so
   * endWide() writes the length in place instead of moving the message by a byte as end() would.
   */
  beginWide(field: number): number {
    this.ensure(16);
    this.tag(field, WIRE_LENGTH);
    const mark = this.pos;
    this.pos += 2;
    return mark;
  }

  /** Ends a message begun with beginWide(): the same bytes end() writes (a minimal varint length). */
  endWide(mark: number): void {
    const length = this.pos - mark - 2;
    if (length >= 128 && length < 16384) {
      this.buf[mark] = (length & 127) | 128;
      this.buf[mark + 1] = length >>> 7;
      return;
    }
    // Shorter or longer than two bytes can say: one reserved byte too many, or too few. Rare; moved as end() would.
    this.buf.copyWithin(mark + 1, mark + 2, this.pos);
    this.pos--;
    this.end(mark);
  }

  /** Ends a nested message: writes its length, moving its bytes when the length needs more than one byte. */
  end(mark: number): void {
    const length = this.pos - mark - 1;
    if (length < 128) {
      this.buf[mark] = length;
      return;
    }
    let extra = 1;
    for (let rest = length >>> 14; rest > 0; rest >>>= 7) extra++;
    this.ensure(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    const end = this.pos + extra;
    this.pos = mark;
    this.rawVarint(length);
    this.pos = end;
  }
}
