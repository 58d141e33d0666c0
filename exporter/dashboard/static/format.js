// Numbers and windows as the dashboard shows them: durations in ms/s, money with its significant digits, counts with
// separators, and the time bucket a window is charted in. Plain script (no build step); also require()-able for tests.
'use strict';

(function (root) {
  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;
  const UNIT = { s: 1000, m: MINUTE, h: HOUR, d: DAY, w: 7 * DAY };
  // Bucket edges counted from Monday 1970-01-05 00:00 UTC, as throughput.sql counts them (a week bucket starts Monday).
  const BUCKET_ORIGIN_MS = 345_600_000;

  const isMissing = (v) => v === null || v === undefined || v === '' || Number.isNaN(Number(v));

  /** 0.385353 → "0.39 ms", 12.46 → "12.5 ms", 250.2 → "250 ms", 1234 → "1.2 s", 61000 → "61 s". */
  function duration(ms) {
    if (isMissing(ms)) return '–';
    const v = Number(ms);
    if (v < 1) return v.toFixed(2) + ' ms';
    if (v < 100) return v.toFixed(1).replace(/\.0$/, '') + ' ms';
    if (v < 1000) return Math.round(v) + ' ms';
    if (v < 10_000) return (v / 1000).toFixed(1) + ' s';
    return count(Math.round(v / 1000)) + ' s';
  }

  /** A length of time in seconds for people: "45 s", "4 min 5 s", "2 h 3 min". */
  function span(seconds) {
    if (isMissing(seconds)) return '–';
    const s = Math.round(Number(seconds));
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  /** 1234567 → "1,234,567". */
  function count(v) {
    if (isMissing(v)) return '–';
    return Number(v).toLocaleString('en-US', { maximumFractionDigits: 0 });
  }

  /** 0.0417 → "4.2%". */
  function percent(ratio) {
    if (isMissing(ratio)) return '–';
    return (Number(ratio) * 100).toFixed(1) + '%';
  }

  // Intl rounds the shortest decimal text of the number (0.000285 → "0.00029"), half away from zero; toPrecision rounds
  // the binary double, which for 0.000285 is 0.00028499…, so it showed "0.00028".
  const TWO_SIGNIFICANT = new Intl.NumberFormat('en-US', { minimumSignificantDigits: 2, maximumSignificantDigits: 2, roundingMode: 'halfExpand' });

  /**
   * Money as { text, exact }: two significant digits under $1 ("$0.0020"), cents above ("$1,234.57"), and below a
   * hundredth of a cent "< $0.0001" with the exact value kept for a title (a priced call is never shown as $0).
   * null (an unpriced call) is "unpriced".
   */
  function money(usd) {
    if (usd === null || usd === undefined) return { text: 'unpriced', exact: '' };
    const v = Number(usd);
    const exact = '$' + String(v);
    if (v === 0) return { text: '$0', exact };
    if (v >= 1) return { text: '$' + v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }), exact };
    if (v < 0.0001) return { text: '< $0.0001', exact };
    return { text: '$' + TWO_SIGNIFICANT.format(v), exact };
  }

  /** '24h' → 86400000; undefined when not a duration. */
  function sinceMs(text) {
    const match = /^(\d+)([smhdw])$/.exec(String(text || ''));
    return match ? Number(match[1]) * UNIT[match[2]] : undefined;
  }

  const BUCKETS = [
    { name: 'minute', minutes: 1, upToMs: 2 * HOUR, title: 'per minute' },
    { name: '5 min', minutes: 5, upToMs: 12 * HOUR, title: 'per 5 minutes' },
    { name: 'hour', minutes: 60, upToMs: 3 * DAY, title: 'per hour' },
    { name: 'day', minutes: 1440, upToMs: 60 * DAY, title: 'per day' },
    { name: 'week', minutes: 10080, upToMs: Infinity, title: 'per week' },
  ];

  /** The bucket a window of `ms` is charted in: 15 min and 1 h per minute, 24 h per hour, 7 d and 30 d per day, 90 d per week. */
  function bucketFor(ms) {
    return BUCKETS.find((b) => ms <= b.upToMs);
  }

  /** Every bucket start in [from, to) (ms), so a chart shows the empty buckets as 0 instead of joining dots. */
  function bucketStarts(fromMs, toMs, minutes) {
    const size = minutes * MINUTE;
    const starts = [];
    let t = Math.floor((fromMs - BUCKET_ORIGIN_MS) / size) * size + BUCKET_ORIGIN_MS;
    for (; t < toMs && starts.length < 2000; t += size) starts.push(t);
    return starts;
  }

  /** ClickHouse time text ('2026-03-10 12:00:00.000', UTC) → ms. */
  function parseUtc(text) {
    return Date.parse(String(text).replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(String(text)) ? '' : 'Z'));
  }

  /** A bucket's label: "14:05" within a day, "03-10 14:00" across days, "2026-03-10" for days and weeks. */
  function bucketLabel(ms, minutes, multiDay) {
    const iso = new Date(ms).toISOString();
    if (minutes >= 1440) return iso.slice(0, 10);
    return multiDay ? iso.slice(5, 10) + ' ' + iso.slice(11, 16) : iso.slice(11, 16);
  }

  /** Row time text without the milliseconds: '2026-03-10 12:00:01'. */
  function time(text) {
    if (text === null || text === undefined || text === '') return '';
    return String(text).replace('T', ' ').replace(/\.\d+Z?$/, '').replace(/Z$/, '');
  }

  const api = { duration, span, count, percent, money, sinceMs, bucketFor, bucketStarts, bucketLabel, parseUtc, time, BUCKETS };
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.otelFormat = api;
})(typeof window === 'undefined' ? globalThis : window);
