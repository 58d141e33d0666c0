/**
 * The `attributes Map(LowCardinality(String), String)` column: every span attribute without a column of its own,
 * and the resource's own attributes (OTEL_RESOURCE_ATTRIBUTES such as team=payments) without a column, as capped
 * text, bounded in count so one span with thousands of attributes cannot bloat a batch. A span attribute wins over a
 * resource attribute of the same name.
 */
import type { Attributes } from 'otel-activity/contract';
import { capString, valueToText } from './attribute-values';

/** OTel's own default span attribute count limit is 128; keys beyond this many are dropped. */
export const MAX_MAP_ENTRIES = 128;
const MAX_KEY_LENGTH = 256;

/**
 * Resource keys stored in columns (service, environment) or written by SDKs and detectors about the process, the
 * host and the SDK itself: the same on every row of a process, and not what anyone filters activity by.
 */
const RESOURCE_SKIPPED = /^(service\.name|service\.version|deployment\.environment(\.name)?|telemetry\.|process\.|host\.|os\.)/;

/** A resource is one object for all spans of a process (or of one OTLP resourceSpans): filtered once. */
const resourceEntries = new WeakMap<Attributes, ReadonlyArray<readonly [string, string]>>();

function resourceEntriesOf(resource: Attributes, maxLength: number): ReadonlyArray<readonly [string, string]> {
  let entries = resourceEntries.get(resource);
  if (entries === undefined) {
    entries = Object.keys(resource)
      .filter((key) => !RESOURCE_SKIPPED.test(key) && resource[key] !== undefined && resource[key] !== null)
      .slice(0, MAX_MAP_ENTRIES)
      .map((key) => [capString(key, MAX_KEY_LENGTH), valueToText(resource[key], maxLength)] as const);
    resourceEntries.set(resource, entries);
  }
  return entries;
}

export function attributesToMap(attributes: Attributes, exclude: ReadonlySet<string>, maxLength: number, resource?: Attributes): Record<string, string> {
  const map: Record<string, string> = {};
  let count = 0;
  if (resource !== undefined) {
    for (const [key, value] of resourceEntriesOf(resource, maxLength)) {
      if (attributes[key] !== undefined || exclude.has(key)) continue;
      map[key] = value;
      count++;
    }
  }
  for (const key of Object.keys(attributes)) {
    if (exclude.has(key)) continue;
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    if (count >= MAX_MAP_ENTRIES) break;
    map[capString(key, MAX_KEY_LENGTH)] = valueToText(value, maxLength);
    count++;
  }
  return map;
}
