/**
 * Turns a concrete URL path into a low-cardinality route template when no framework supplies `http.route`:
 * numeric, UUID, hex (8+ chars) and long opaque token segments become `:id`.
 */
import { boundedMemo } from '../runtime/bounded-memo';

const NUMERIC = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{8,}$/i;
/** Opaque ids: base64url/alphanumeric runs of 16+ characters mixing letters and digits, or any of 32+. */
const TOKEN_CHARS = /^[A-Za-z0-9_\-.~=]+$/;
const HAS_DIGIT = /\d/;

function isIdSegment(segment: string): boolean {
  if (segment.length === 0) return false;
  if (NUMERIC.test(segment)) return true;
  if (segment.length >= 8 && HEX.test(segment) && HAS_DIGIT.test(segment)) return true;
  if (segment.length === 36 && UUID.test(segment)) return true;
  if (segment.length >= 16 && TOKEN_CHARS.test(segment)) {
    return segment.length >= 32 || (HAS_DIGIT.test(segment) && /[A-Za-z]/.test(segment));
  }
  return false;
}

const CACHE_LIMIT = 2000;
// Bounded: ids make paths unbounded.
const templateMemo = boundedMemo(CACHE_LIMIT, templateOf);

/** `/users/42/orders/0b6c…` → `/users/:id/orders/:id`. The query string, if any, is dropped. */
export function routeTemplate(path: string): string {
  const q = path.indexOf('?');
  if (q !== -1) path = path.slice(0, q);
  // Fast path: the common static route has no digit and no long segment, so nothing to replace.
  if (!HAS_DIGIT.test(path) && path.length < 33) return path;
  return templateMemo(path);
}

function templateOf(path: string): string {
  const segments = path.split('/');
  let changed = false;
  for (let i = 0; i < segments.length; i++) {
    if (isIdSegment(segments[i])) {
      segments[i] = ':id';
      changed = true;
    }
  }
  return changed ? segments.join('/') : path;
}
