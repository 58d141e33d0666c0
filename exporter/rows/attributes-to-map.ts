/**
 * The `attributes Map(LowCardinality(String), String)` column: every span attribute without a column of its own,
 * as capped text, bounded in count so one span with thousands of attributes cannot bloat a batch.
 */
import type { Attributes } from '../activity-span';
import { capString, valueToText } from './attribute-values';

/** OTel's own default span attribute count limit is 128; keys beyond this many are dropped. */
export const MAX_MAP_ENTRIES = 128;
const MAX_KEY_LENGTH = 256;

export function attributesToMap(attributes: Attributes, exclude: ReadonlySet<string>, maxLength: number): Record<string, string> {
  const map: Record<string, string> = {};
  let count = 0;
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
