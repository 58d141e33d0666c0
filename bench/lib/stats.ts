/**
 * Median and spread of repeated measurements. Spread is reported as min..max and as the relative
 * half-range around the median, so a reader sees at once how far one run can be trusted on a noisy box.
 */

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max - min) / 2 / median, as a fraction; 0 when there is one sample. */
  readonly relSpread: number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(values: readonly number[]): Summary {
  const m = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  return { n: values.length, median: m, min, max, relSpread: m === 0 || values.length < 2 ? 0 : (max - min) / 2 / Math.abs(m) };
}

/** "1234 (±3.1%, 1200..1270, n=5)" with `digits` decimals. */
export function formatSummary(s: Summary, digits = 0): string {
  return `${s.median.toFixed(digits)} (±${(s.relSpread * 100).toFixed(1)}%, ${s.min.toFixed(digits)}..${s.max.toFixed(digits)}, n=${s.n})`;
}

/**
 * Ratios of paired runs (same round, so the same background noise): the median of per-round ratios is
 * steadier than the ratio of medians when the machine's speed drifts between rounds.
 */
export function pairedRatios(values: readonly number[], baseline: readonly number[]): number[] {
  const n = Math.min(values.length, baseline.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(values[i] / baseline[i]);
  return out;
}

export function pass(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}
