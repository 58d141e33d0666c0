/**
 * One request header by its lower-case name, read from `rawHeaders`. Node builds `request.headers` lazily, on first
 * read; a handler that never looks at headers would otherwise pay for the whole object on every request because of us.
 * Returns the first occurrence, as `request.headers` does for the headers read here (user-agent, content-length).
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
