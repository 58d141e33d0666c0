import { describe, expect, it } from 'vitest';
import { SpanIdSet } from '../exporter/queue/span-id-set';
import { RecentSpanIds } from '../exporter/queue/recent-span-ids';

/** Deterministic 16-hex-digit ids (xorshift32 words), so a failure replays. */
function hexIds(count: number, start = 1): string[] {
  let x = start;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  return Array.from({ length: count }, () => next().toString(16).padStart(8, '0') + next().toString(16).padStart(8, '0'));
}

async function remember(recent: RecentSpanIds, ids: readonly string[]): Promise<void> {
  const done = Promise.resolve(true);
  recent.track(ids, done);
  await done;
  await Promise.resolve();
}

describe('SpanIdSet', () => {
  it('answers exactly as a Set of strings does, through many grows', () => {
    const set = new SpanIdSet();
    const reference = new Set<string>();
    const added = hexIds(50_000);
    const addAnswers = added.map((id) => {
      const fresh = !reference.has(id);
      reference.add(id);
      return set.add(id) === fresh;
    });
    expect(addAnswers.every(Boolean)).toBe(true);
    expect(set.size).toBe(reference.size);
    expect(added.every((id) => set.has(id))).toBe(true);
    const others = [...hexIds(50_000, 0xdead), ...added.map((id) => id.slice(0, 15) + (id[15] === '0' ? '1' : '0'))];
    expect(others.filter((id) => set.has(id) !== reference.has(id))).toEqual([]);
    expect(new Set(set)).toEqual(reference);
  });

  it('tells apart ids one bit apart, in either word, and the all-zero id', () => {
    const set = new SpanIdSet();
    set.add('0000000000000000');
    set.add('8000000000000000');
    expect(['0000000000000000', '8000000000000000', '0000000000000001', '0000000100000000', '0000000080000000'].map((id) => set.has(id))).toEqual([
      true, true, false, false, false,
    ]);
    expect(set.add('0000000000000000')).toBe(false);
    expect(set.size).toBe(2);
  });

  it('keeps any other string as itself: upper case, short, long and non-hex ids are their own members', () => {
    const set = new SpanIdSet();
    const odd = ['ABCDEF0123456789', 'abcdef012345678', 'abcdef01234567890', 'abcdefgh01234567', '', 'x'.repeat(200), 'é'];
    for (const id of odd) expect(set.add(id)).toBe(true);
    // The lower-case form of an upper-case id is a different id, as it is for a Set of strings.
    expect(set.has('abcdef0123456789')).toBe(false);
    expect(set.add('abcdef0123456789')).toBe(true);
    for (const id of odd) expect(set.add(id)).toBe(false);
    expect(set.size).toBe(odd.length + 1);
    expect(new Set(set)).toEqual(new Set([...odd, 'abcdef0123456789']));
  });

  it('finds every id of a cluster that lands on one run of slots', () => {
    // Ids that share a word hash to scattered slots, but many ids in a small table still chain; a large batch in a
    // fresh set crosses every grow while the probe runs are long.
    const set = new SpanIdSet();
    const ids = Array.from({ length: 5000 }, (_, i) => 'ffffffff' + i.toString(16).padStart(8, '0'));
    for (const id of ids) set.add(id);
    expect(ids.every((id) => set.has(id))).toBe(true);
    expect(set.has('ffffffff' + (5000).toString(16).padStart(8, '0'))).toBe(false);
    expect(set.has('fffffffe00000000')).toBe(false);
  });
});

describe('RecentSpanIds over SpanIdSet', () => {
  it('forgets the older generation whole once the newer holds capacity/2 ids, hex and other ids alike', async () => {
    const recent = new RecentSpanIds(6);
    const [a, b, c, d, e, f, g] = hexIds(7);
    await remember(recent, [a, 'custom-1', b]);
    await remember(recent, [c, 'custom-2', d]);
    expect([a, 'custom-1', b, c, 'custom-2', d].every((id) => recent.isStored(id))).toBe(true);
    // The 7th id starts a third generation: the first is forgotten whole, the second stays.
    await remember(recent, [e]);
    expect([a, 'custom-1', b].map((id) => recent.isStored(id))).toEqual([false, false, false]);
    expect([c, 'custom-2', d, e].map((id) => recent.isStored(id))).toEqual([true, true, true, true]);
    await remember(recent, [f, g]);
    expect([c, 'custom-2', d, e, f, g].map((id) => recent.isStored(id))).toEqual([true, true, true, true, true, true]);
    expect(recent.size).toBe(6);
    await remember(recent, hexIds(1, 7));
    expect([c, 'custom-2', d, e, f, g].map((id) => recent.isStored(id))).toEqual([false, false, false, true, true, true]);
  });

  it('saves and loads the same ids, with the same generations', async () => {
    const recent = new RecentSpanIds(4);
    const ids = [...hexIds(3), 'NOT-HEX'];
    await remember(recent, ids);
    const file = `${process.env.TMPDIR ?? '/tmp'}/span-id-set-${process.pid}.ids`;
    expect(recent.save(file)).toBe(true);
    const next = new RecentSpanIds(4);
    expect(next.load(file)).toBe(true);
    expect(ids.map((id) => next.isStored(id))).toEqual([true, true, true, true]);
    await remember(next, hexIds(1, 99));
    // The first generation held the first two: the next id started a third generation and the first is forgotten.
    expect(ids.map((id) => next.isStored(id))).toEqual([false, false, true, true]);
  });
});
