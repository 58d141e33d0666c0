/**
 * WireReader.string() returns the same text as a UTF-8 decode of the bytes, whether it made the string or reused one
 * it made for the same bytes before (short ASCII strings are kept in a table shared by every reader).
 */
import { describe, expect, it } from 'vitest';
import { ProtobufDecodeError, WireReader } from '../exporter/normalize/protobuf-wire';

/** Length-delimited fields, one per string, as string() reads them. */
function wire(strings: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const text of strings) {
    const bytes = Buffer.from(text, 'utf8');
    const length: number[] = [];
    let n = bytes.length;
    while (n >= 128) {
      length.push((n & 127) | 128);
      n >>>= 7;
    }
    length.push(n);
    parts.push(Buffer.from(length), bytes);
  }
  return Buffer.concat(parts);
}

function readAll(buf: Buffer): string[] {
  const reader = new WireReader(buf);
  const out: string[] = [];
  while (reader.pos < reader.end) out.push(reader.string());
  return out;
}

describe('WireReader strings', () => {
  it('reads every string as written, across more distinct strings than the table holds and strings that differ by a byte', () => {
    const strings: string[] = [];
    for (let i = 0; i < 20_000; i++) strings.push(`k${i}`, `k${i}`.split('').reverse().join(''), 'http.route', '');
    // Same length and nearly the same bytes: only a byte comparison tells them apart.
    for (let i = 0; i < 500; i++) strings.push(`/api/r${i % 10}/:id`, `/api/r${(i + 1) % 10}/:id`, 'x'.repeat(128), 'x'.repeat(127) + 'y', 'x'.repeat(129));
    strings.push('é', 'ü€😀', 'user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36'.repeat(3));
    const buf = wire(strings);
    expect(readAll(buf)).toEqual(strings);
    // A second pass reads the table's strings where they are still there: the same text.
    expect(readAll(buf)).toEqual(strings);
  });

  it('still refuses invalid UTF-8, short or long', () => {
    for (const bytes of [Buffer.from([2, 0x61, 0xff]), Buffer.concat([Buffer.from([200, 1]), Buffer.alloc(199, 0x61), Buffer.from([0xc3])])]) {
      expect(() => readAll(bytes)).toThrow(ProtobufDecodeError);
    }
  });
});
