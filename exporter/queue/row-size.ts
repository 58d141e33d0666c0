/**
 * Cheap size estimate of a row for the queue's byte cap: string lengths plus 8 per number or boolean,
 * one level into maps. Close to the JSON size without serialising every row.
 */
export function approxRowBytes(row: object): number {
  let bytes = 2;
  for (const [key, value] of Object.entries(row)) {
    bytes += key.length + 4 + approxValueBytes(value);
  }
  return bytes;
}

function approxValueBytes(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'number' || typeof value === 'boolean') return 8;
  if (value && typeof value === 'object') {
    let bytes = 2;
    for (const [k, v] of Object.entries(value)) bytes += k.length + 4 + (typeof v === 'string' ? v.length + 2 : 8);
    return bytes;
  }
  return 4;
}
