/**
 * Untyped JavaScript callers can pass anything to the public API; recording activity must never throw into the
 * app. These coerce arguments to what we record, or to undefined, without calling user code that can throw.
 */
import { reportHookError } from './hook-guard';

/** Strings as they are; finite numbers, bigints and booleans as text; everything else undefined. */
export function textArg(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** The options object, or an empty one for null, undefined or a primitive. */
export function optionsArg<T extends object>(value: unknown): Partial<T> {
  return typeof value === 'object' && value !== null ? (value as Partial<T>) : {};
}

/** Runs an API function body; a throw is counted and reported once per API name, never rethrown. */
export function guardApi<T>(name: string, fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (error) {
    reportHookError(`${name}() API`, error);
    return fallback;
  }
}
