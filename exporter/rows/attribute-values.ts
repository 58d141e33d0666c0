/**
 * Reading span attributes into column values that can never fail an insert: strings capped and made well-formed,
 * numbers checked for range, anything odd (NaN, negative, wrong type, missing) turned into the column's default.
 */
import type { AttributeValue, Attributes } from 'otel-activity/contract';

/** Default cap for string values, the SDK's attributeMaxLength default. */
export const DEFAULT_ATTRIBUTE_MAX_LENGTH = 4096;

/** Lone UTF-16 surrogates have no UTF-8 encoding; the engine would store invalid bytes, so they become U+FFFD. */
const LONE_SURROGATE = '[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]';
const HAS_LONE_SURROGATE_RE = new RegExp(LONE_SURROGATE);
const LONE_SURROGATES_RE = new RegExp(LONE_SURROGATE, 'g');

/** At most `max` UTF-16 units, never cutting a surrogate pair in half, well-formed. */
export function capString(value: string, max: number): string {
  let text = value;
  if (text.length > max) {
    let end = Math.max(0, max);
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    text = text.slice(0, end);
  }
  return HAS_LONE_SURROGATE_RE.test(text) ? text.replace(LONE_SURROGATES_RE, '\uFFFD') : text;
}

/** Any attribute value as text: strings as they are, numbers/booleans printed, arrays as JSON. */
export function valueToText(value: AttributeValue | undefined | null, max: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return capString(value, max);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    try {
      // Cap the elements first: a JSON of ten 10 MB strings must not be built just to be cut.
      return capString(JSON.stringify(value.map((v) => (typeof v === 'string' ? capString(v, max) : v))), max);
    } catch {
      return '';
    }
  }
  return '';
}

/** The first present key's value as capped text ('' when none is present). */
export function textAttr(attributes: Attributes, keys: string | readonly string[], max: number): string {
  for (const key of typeof keys === 'string' ? [keys] : keys) {
    const value = attributes[key];
    if (value !== undefined && value !== null && value !== '') return valueToText(value, max);
  }
  return '';
}

/** The first present key's value as a number (numeric strings accepted: OTLP JSON sends int64 as text). */
export function numberAttr(attributes: Attributes, keys: string | readonly string[]): number | undefined {
  for (const key of typeof keys === 'string' ? [keys] : keys) {
    const value = attributes[key];
    if (typeof value === 'number') return value;
    if (typeof value === 'string' && value.trim() !== '') {
      const n = Number(value);
      if (!Number.isNaN(n)) return n;
    }
  }
  return undefined;
}

/** A whole number in [0, max]; anything else (NaN, negative, fractional overflow, missing) is 0. */
export function uintOf(value: number | undefined, max: number = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined || !Number.isFinite(value) || value < 0) return 0;
  const n = Math.floor(value);
  return n > max ? 0 : n;
}

/** true/false from a boolean, 'true'/'false' text or 1/0; undefined for anything else. */
export function booleanAttr(attributes: Attributes, key: string): boolean | undefined {
  const value = attributes[key];
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 1 || value === '1') return true;
  if (value === 'false' || value === 0 || value === '0') return false;
  return undefined;
}
