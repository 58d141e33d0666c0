/**
 * Time windows for reports: `--since 24h` style durations and the 'YYYY-MM-DD hh:mm:ss.sss' UTC text ClickHouse binds.
 */
import { toClickHouseTime } from '../rows/format-timestamp';

/** What DateTime64(3) holds: [1900-01-01, 2300-01-01). */
const MIN_TIME_MS = Date.UTC(1900, 0, 1);
const END_TIME_MS = Date.UTC(2300, 0, 1);

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses '30m', '24h', '7d', '2w', '45s' into milliseconds; throws with the accepted forms otherwise. */
export function parseSince(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(text);
  if (!match) throw new RangeError(`--since must be a number and a unit (s, m, h, d, w) like 30m, 24h or 7d, got "${text}"`);
  const ms = Number(match[1]) * (UNIT_MS[match[2].toLowerCase()] ?? 0);
  if (!(ms > 0)) throw new RangeError(`--since must be longer than zero, got "${text}"`);
  return ms;
}


/** Accepts an ISO date/time ('2026-01-02', '2026-01-02T03:04:05Z') or ClickHouse text; returns ClickHouse text. */
export function parseTimeArgument(text: string, flag: string): string {
  const trimmed = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(trimmed)
    ? `${trimmed}T00:00:00Z`
    : /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(trimmed)
      ? `${trimmed.replace(' ', 'T')}Z`
      : trimmed;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()) || date.getTime() < MIN_TIME_MS || date.getTime() >= END_TIME_MS) {
    throw new RangeError(`${flag} must be a UTC date or time like 2026-01-31 or 2026-01-31T12:00:00Z, got "${text}"`);
  }
  return toClickHouseTime(date);
}

/** The [from, to) window of a report: explicit --from/--to, else the last `since` (default 24h) up to now. */
export function resolveWindow(options: { since?: string; from?: string; to?: string }, now: Date = new Date()): { from: string; to: string } {
  if (options.since && (options.from || options.to)) throw new RangeError('use either --since or --from/--to, not both');
  const to = options.to ? parseTimeArgument(options.to, '--to') : toClickHouseTime(now);
  if (options.from) return { from: parseTimeArgument(options.from, '--from'), to };
  const toDate = new Date(`${to.replace(' ', 'T')}Z`);
  const from = new Date(toDate.getTime() - parseSince(options.since ?? '24h'));
  // A window reaching past what DateTime64(3) holds is a mistake, not a query.
  if (!(from.getTime() >= MIN_TIME_MS)) {
    throw new RangeError(`--since ${options.since} reaches back before 1900-01-01; use at most ${Math.floor((toDate.getTime() - MIN_TIME_MS) / 86_400_000)}d`);
  }
  return { from: toClickHouseTime(from), to };
}
