/**
 * Header values without extra cost. `rawHeader` reads one request header from `rawHeaders`: Node builds
 * `request.headers` lazily, on first read, and a handler that never looks at headers would otherwise pay for the
 * whole object on every request because of us. It returns the first occurrence, as `request.headers` does for the
 * headers read here (user-agent, content-length).
 */
import type { IncomingMessage } from 'node:http';

export function rawHeader(request: IncomingMessage, name: string): string | undefined {
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}

/** A size header (content-length) as a non-negative number; undefined when absent or not a number. */
export function headerNumber(value: unknown): number | undefined {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return value !== undefined && Number.isFinite(n) && n >= 0 ? n : undefined;
}
