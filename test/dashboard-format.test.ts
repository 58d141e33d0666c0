/**
 * The dashboard's number and window formatting (exporter/dashboard/static/format.js, the same file the page loads):
 * durations, money, counts, percentages, and the chart bucket each window gets.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

interface Format {
  duration(ms: unknown): string;
  span(seconds: unknown): string;
  count(v: unknown): string;
  percent(r: unknown): string;
  money(usd: unknown): { text: string; exact: string };
  sinceMs(text: string): number | undefined;
  bucketFor(ms: number): { name: string; minutes: number };
  bucketStarts(fromMs: number, toMs: number, minutes: number): number[];
}
const F = createRequire(__filename)('../exporter/dashboard/static/format.js') as Format;

describe('dashboard formatting', () => {
  it('shows durations in ms below a second and in s above, with sensible precision', () => {
    expect([0.385353, 0.004, 5, 12.46, 99.96, 250.2, 999.4, 1234, 9_960, 61_000, null].map(F.duration))
      .toEqual(['0.39 ms', '0.00 ms', '5 ms', '12.5 ms', '100 ms', '250 ms', '999 ms', '1.2 s', '10.0 s', '61 s', '–']);
    expect([45, 245, 7380].map(F.span)).toEqual(['45 s', '4 min 5 s', '2 h 3 min']);
  });

  it('keeps money significant: never $0 for a priced call, the exact value for the title', () => {
    expect(F.money(0.002017)).toEqual({ text: '$0.0020', exact: '$0.002017' });
    expect(F.money(1.6e-7)).toEqual({ text: '< $0.0001', exact: '$1.6e-7' });
    expect(F.money(0.0001)).toEqual({ text: '$0.00010', exact: '$0.0001' });
    // Half away from zero on the decimal value, not on the binary double (0.000285 is stored as 0.00028499…).
    expect(F.money(0.000285)).toEqual({ text: '$0.00029', exact: '$0.000285' });
    expect([0.000155, 0.00245, 0.145].map((v) => F.money(v).text)).toEqual(['$0.00016', '$0.0025', '$0.15']);
    expect(F.money(1234.567)).toEqual({ text: '$1,234.57', exact: '$1234.567' });
    expect(F.money(0)).toEqual({ text: '$0', exact: '$0' });
    expect(F.money(null)).toEqual({ text: 'unpriced', exact: '' });
  });

  it('separates thousands and gives percentages one decimal', () => {
    expect([0, 999, 12_345, 1_234_567, '3000'].map(F.count)).toEqual(['0', '999', '12,345', '1,234,567', '3,000']);
    expect([0, 0.0417, 1, 0.33333].map(F.percent)).toEqual(['0.0%', '4.2%', '100.0%', '33.3%']);
  });

  it('charts 15 min and 1 h per minute, 24 h per hour, 7 d and 30 d per day, 90 d per week', () => {
    expect(['15m', '1h', '2h', '6h', '12h', '24h', '3d', '7d', '30d', '60d', '90d'].map((s) => F.bucketFor(F.sinceMs(s)!).name))
      .toEqual(['minute', 'minute', 'minute', '5 min', '5 min', 'hour', 'hour', 'day', 'day', 'day', 'week']);
  });

  it('lays every bucket of the window, weeks starting on Monday as throughput.sql counts them', () => {
    const from = Date.parse('2026-03-10T10:07:30Z');
    expect(F.bucketStarts(from, from + 3_600_000, 60).map((t) => new Date(t).toISOString())).toEqual(['2026-03-10T10:00:00.000Z', '2026-03-10T11:00:00.000Z']);
    expect(F.bucketStarts(Date.parse('2026-03-10T00:00:00Z'), Date.parse('2026-03-10T00:30:00Z'), 1)).toHaveLength(30);
    // 2026-03-12 is a Thursday: its week bucket starts Monday 2026-03-09.
    expect(new Date(F.bucketStarts(Date.parse('2026-03-12T12:00:00Z'), Date.parse('2026-03-13T00:00:00Z'), 10080)[0]).toISOString()).toBe('2026-03-09T00:00:00.000Z');
  });
});
