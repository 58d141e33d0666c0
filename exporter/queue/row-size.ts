/**
 * Cheap size estimate of a row for the queue's byte cap: string lengths plus 8 per number or boolean,
 * one level into maps. Close to the JSON size without serialising every row (for…in: no per-row arrays).
 */
export function approxRowBytes(row: object): number {
  let bytes = 2;
  const record = row as Record<string, unknown>;
  for (const key in record) {
    bytes += key.length + 4;
    const value = record[key];
    if (typeof value === 'string') bytes += value.length + 2;
    else if (value !== null && typeof value === 'object') bytes += approxMapBytes(value as Record<string, unknown>);
    else bytes += 8;
  }
  return bytes;
}

function approxMapBytes(map: Record<string, unknown>): number {
  let bytes = 2;
  for (const key in map) {
    const value = map[key];
    bytes += key.length + 4 + (typeof value === 'string' ? value.length + 2 : 8);
  }
  return bytes;
}
