/**
 * The alternation loop: rounds of a b c d a b c d …, so slow drift and other people's load on the shared
 * cores hit every variant alike instead of whichever happened to run last.
 */

export interface Variant<T> {
  readonly name: string;
  run(round: number): Promise<T>;
}

/** Returns each variant's results in round order. */
export async function alternate<T>(
  variants: readonly Variant<T>[],
  rounds: number,
  onResult?: (variant: string, round: number, result: T) => void,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const variant of variants) {
      const result = await variant.run(round);
      results.get(variant.name)!.push(result);
      onResult?.(variant.name, round, result);
    }
  }
  return results;
}
