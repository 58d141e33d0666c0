/**
 * What the bench apps do per request: nothing (hello-world), or the "realistic" route's fixed CPU work
 * (about 1 ms on the bench machine) and a ~10 KB JSON body. A fixed iteration count, not a calibrated one,
 * so every variant does exactly the same work.
 */
import { createHash } from 'node:crypto';

export const HELLO_BODY = 'hello world';

/** sha256 rounds; ~1 ms on a 2024 EPYC core (see bench/README.md). */
const WORK_ROUNDS = Number(process.env.BENCH_WORK_ROUNDS ?? 200);

const ITEMS = Array.from({ length: 60 }, (_, i) => ({
  id: i,
  name: `item-${i}`,
  description: 'a product description long enough to look like one in a real catalogue page',
  price: Math.round(i * 137.3) / 100,
  tags: ['alpha', 'beta', 'gamma'],
}));

export function realisticBody(id: string): string {
  let digest = createHash('sha256').update(id).digest();
  for (let i = 0; i < WORK_ROUNDS; i++) digest = createHash('sha256').update(digest).digest();
  return JSON.stringify({ id, digest: digest.toString('hex'), items: ITEMS });
}
