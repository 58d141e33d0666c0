/**
 * A batch of row objects as JSONCompactEachRow text: one JSON array of values per row under one column list, so
 * the engine parses each value without matching its key (2.4x less engine time than JSONEachRow for access rows).
 */

export interface CompactRows {
  /** The columns every line lists, in order: those the rows hold that the table accepts. */
  readonly columns: string[];
  readonly text: string;
}

/**
 * `insertable` is the table's insertable columns, or undefined when unknown: a key the table does not have (a row
 * from a newer version) is left out, as JSONEachRow's input_format_skip_unknown_fields did. A key missing from a
 * row is written null, which the engine stores as the column's default (input_format_null_as_default), as it would
 * a missing key.
 */
export function toCompactRows(rows: ReadonlyArray<object>, insertable: ReadonlySet<string> | undefined): CompactRows {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const key in row) {
      if (seen.has(key)) continue;
      seen.add(key);
      if (insertable === undefined || insertable.has(key)) columns.push(key);
    }
  }
  let text = '';
  const values: unknown[] = new Array(columns.length);
  for (const row of rows) {
    const record = row as Record<string, unknown>;
    for (let i = 0; i < columns.length; i++) values[i] = record[columns[i]];
    text += JSON.stringify(values) + '\n';
  }
  return { columns, text };
}
