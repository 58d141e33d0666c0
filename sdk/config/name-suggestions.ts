/**
 * Unknown names, for the loader's messages: the nearest known one ("did you mean"), and whether a name is so near
 * one this loader knows that it is a typo rather than another package's.
 */

/** Levenshtein distance, for "did you mean" on unknown names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

function closest(name: string, candidates: readonly string[]): { readonly best: string; readonly distance: number } {
  let best = '';
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return { best, distance: bestDistance };
}

export function suggestion(name: string, candidates: readonly string[]): string {
  const { best, distance: d } = closest(name, candidates);
  return d <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean ${best}?)` : '';
}

/**
 * A name this loader does not know, but so close to one it does that it is a typo (one or two letters off,
 * compared after the shared prefix); any other unknown name may be another package's.
 */
export function misspelt(name: string, candidates: readonly string[], prefix: string): boolean {
  const rest = name.slice(prefix.length);
  const { distance: d } = closest(rest, candidates.map((c) => c.slice(prefix.length)));
  return d <= Math.max(1, Math.floor(rest.length / 5));
}
