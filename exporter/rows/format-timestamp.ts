/**
 * Time → 'YYYY-MM-DD hh:mm:ss.sss' in UTC, the DateTime64(3) text every engine and format accepts: the one place
 * rows, bound parameters and migration records get it from.
 */

/** DateTime64 stores 1900-01-01 to 2299-12-31; a span outside it (or NaN) gets the time it was mapped. */
const MAX_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);

export function formatTimestamp(epochMs: number, now: () => number = Date.now): string {
  // Before 1970 is legal for DateTime64 but means a broken clock on a span; the mapping time is closer to the truth
  // and keeps the row inside the retention window instead of in a partition TTL drops at once.
  const ms = Number.isFinite(epochMs) && epochMs >= 0 && epochMs <= MAX_MS ? Math.floor(epochMs) : now();
  return msToClickHouseTime(ms);
}

/** Date → '2026-01-02 03:04:05.678' (UTC), the form DateTime64(3) parameters and row timestamps use. */
export function toClickHouseTime(date: Date): string {
  return msToClickHouseTime(date.getTime());
}

// The spans of one request ended within a few seconds of each other: their rows share the text up to the second,
// which is made once per second instead of once per row (it was 3% of the ingest service's busy main thread).
let lastSecond = NaN;
let lastSecondText = '';

function msToClickHouseTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    // An invalid time throws here (RangeError), as Date.prototype.toISOString does.
    lastSecondText = new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ');
    lastSecond = second;
  }
  const millis = ms - second * 1000;
  return `${lastSecondText}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}`;
}
