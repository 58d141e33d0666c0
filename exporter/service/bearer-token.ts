/**
 * Bearer-token check in constant time: both sides are hashed first, so timingSafeEqual compares equal lengths and the
 * time taken says nothing about the token's length or prefix.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function bearerTokenMatches(request: IncomingMessage, expected: string): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  const given = match?.[1]?.trim() ?? '';
  return timingSafeEqual(sha256(given), sha256(expected)) && given.length > 0;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
