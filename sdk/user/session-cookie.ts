/**
 * session.id from a named session cookie (`connect.sid`, `sessionid` …), for apps that never call setUser. Only a
 * hash of the value leaves the app: the raw value is a bearer credential for the session.
 */
import { createHash } from 'node:crypto';
import { boundedMemo } from '../runtime/bounded-memo';

/** Reads the session id (hashed) from a Cookie header value; undefined when no listed cookie is there. */
export type SessionCookieReader = (cookieHeader: string | undefined) => string | undefined;

/** Cookie headers are scanned up to here (browsers send at most ~8 KB per header line by default). */
export const MAX_COOKIE_HEADER_CHARS = 16384;
const MAX_VALUE_CHARS = 4096;
/** 128 bits of sha256: no collisions between a service's sessions, and a short column value. */
export const SESSION_HASH_HEX_CHARS = 32;
// Hashes by cookie value: a browser sends the same session cookie on every request.
const CACHE_ENTRIES = 1024;

/** The stored form of a session cookie value. */
export function hashSessionValue(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, SESSION_HASH_HEX_CHARS);
}

/** The raw value of the first cookie of `names` (lower-case, in priority order) present in the header. */
export function sessionCookieValue(header: string, names: readonly string[]): string | undefined {
  const text = header.length > MAX_COOKIE_HEADER_CHARS ? header.slice(0, MAX_COOKIE_HEADER_CHARS) : header;
  let best: string | undefined;
  let bestRank = names.length;
  let start = 0;
  while (start < text.length && bestRank > 0) {
    let end = text.indexOf(';', start);
    if (end === -1) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq !== -1 && eq < end) {
      const rank = names.indexOf(text.slice(start, eq).trim().toLowerCase());
      if (rank !== -1 && rank < bestRank) {
        let value = text.slice(eq + 1, end).trim();
        if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
        if (value !== '' && value.length <= MAX_VALUE_CHARS) {
          best = value;
          bestRank = rank;
        }
      }
    }
    start = end + 1;
  }
  return best;
}

/** A cached reader for these cookie names; an empty list means off (undefined). */
export function createSessionCookieReader(cookieNames: readonly string[]): SessionCookieReader | undefined {
  const names = cookieNames.map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  if (names.length === 0) return undefined;
  const hashOf = boundedMemo(CACHE_ENTRIES, hashSessionValue);
  return (header) => {
    if (header === undefined) return undefined;
    const value = sessionCookieValue(header, names);
    return value === undefined ? undefined : hashOf(value);
  };
}
