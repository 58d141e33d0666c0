/**
 * A set of span id strings in typed arrays: an id of 16 lowercase hex digits (every W3C span id) is kept as its
 * 8 bytes in an open-addressing table, about 16 B per id instead of ~50 B for a string in a Set; any other string
 * (a custom id generator's) in a plain Set beside it. Membership is exact: the hex form maps one to one to its
 * bytes, so two different ids never meet, and "ABC…" (not lowercase) stays a string distinct from "abc…".
 */

const HEX_ID_LENGTH = 16;
const MIN_SLOTS = 1024;
/** Grows once half full: linear probing stays at ~1.5 probes per lookup. */
const MAX_LOAD = 0.5;

export class SpanIdSet {
  /** Slot i holds the id's high 32 bits at 2i and low 32 bits at 2i + 1; used[i] says the slot is taken. */
  private words = new Uint32Array(2 * MIN_SLOTS);
  private used = new Uint8Array(MIN_SLOTS);
  private mask = MIN_SLOTS - 1;
  private packed = 0;
  private readonly other = new Set<string>();
  /** Per-set hash key, so ids chosen to collide in one process's table do not collide in another's. */
  private readonly seed = (Math.random() * 0x1_0000_0000) >>> 0;

  get size(): number {
    return this.packed + this.other.size;
  }

  has(id: string): boolean {
    const hi = hexWord(id, 0);
    const lo = hi < 0 || id.length !== HEX_ID_LENGTH ? -1 : hexWord(id, 8);
    if (lo < 0) return this.other.has(id);
    return this.slotOf(hi, lo) >= 0;
  }

  /** Adds `id`; false when it was there already. */
  add(id: string): boolean {
    const hi = hexWord(id, 0);
    const lo = hi < 0 || id.length !== HEX_ID_LENGTH ? -1 : hexWord(id, 8);
    if (lo < 0) {
      if (this.other.has(id)) return false;
      this.other.add(id);
      return true;
    }
    if (this.slotOf(hi, lo) >= 0) return false;
    if (this.packed + 1 > (this.mask + 1) * MAX_LOAD) this.grow();
    this.place(hi, lo);
    this.packed++;
    return true;
  }

  /** Every id, as the string it was added as (the packed ones in table order, then the others). */
  *[Symbol.iterator](): IterableIterator<string> {
    for (let slot = 0; slot <= this.mask; slot++) {
      if (this.used[slot]) yield wordHex(this.words[2 * slot]) + wordHex(this.words[2 * slot + 1]);
    }
    yield* this.other;
  }

  /** The slot holding (hi, lo), or -1. */
  private slotOf(hi: number, lo: number): number {
    const { words, used, mask } = this;
    for (let slot = this.hash(hi, lo) & mask; used[slot]; slot = (slot + 1) & mask) {
      if (words[2 * slot] === hi && words[2 * slot + 1] === lo) return slot;
    }
    return -1;
  }

  private place(hi: number, lo: number): void {
    const { words, used, mask } = this;
    let slot = this.hash(hi, lo) & mask;
    while (used[slot]) slot = (slot + 1) & mask;
    used[slot] = 1;
    words[2 * slot] = hi;
    words[2 * slot + 1] = lo;
  }

  private grow(): void {
    const { words, used, mask } = this;
    const slots = 2 * (mask + 1);
    this.words = new Uint32Array(2 * slots);
    this.used = new Uint8Array(slots);
    this.mask = slots - 1;
    for (let slot = 0; slot <= mask; slot++) if (used[slot]) this.place(words[2 * slot], words[2 * slot + 1]);
  }

  /** murmur3's 32-bit finaliser over both words and the seed. */
  private hash(hi: number, lo: number): number {
    return fmix32(hi ^ fmix32(lo ^ this.seed));
  }
}

function fmix32(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85eb_ca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2_ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The 8 lowercase hex digits of `id` at `from` as an unsigned 32-bit number, or -1 when they are not that. */
function hexWord(id: string, from: number): number {
  if (id.length < from + 8) return -1;
  let word = 0;
  for (let i = from; i < from + 8; i++) {
    const c = id.charCodeAt(i);
    const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (digit < 0) return -1;
    word = word * 16 + digit;
  }
  return word;
}

function wordHex(word: number): string {
  return word.toString(16).padStart(8, '0');
}
