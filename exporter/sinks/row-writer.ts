/**
 * Where the pipeline's rows go: one insert per table per batch, never throwing. The ClickHouse sinks write into the
 * tables; a writer to a log (a Kafka producer) fits the same shape, and the engine reads what it forwards.
 */

export type InsertResult =
  | { readonly ok: true }
  /** `retryable` is false for errors that a retry cannot fix (bad credentials, unknown table, type mismatch). */
  | { readonly ok: false; readonly retryable: boolean; readonly error: Error };

export interface InsertOptions {
  /**
   * The same for every retry and replay of one batch, so a destination that saw the first attempt does not store the
   * rows twice (ClickHouse: insert_deduplication_token; a log: the message key).
   */
  readonly dedupToken: string;
}

export interface RowWriter {
  /** 'embedded', 'http' …, for logs and self-metrics. */
  readonly kind: string;
  /** Writes rows of one table as one unit. Never throws: failures are results. */
  insert(table: string, rows: ReadonlyArray<object>, options: InsertOptions): Promise<InsertResult>;
  /**
   * Sends what the writer holds back (a producer's buffer); resolves once sent. Absent: every insert is sent by the
   * time it resolves, as with both ClickHouse sinks.
   */
  flush?(): Promise<void>;
  close(): Promise<void>;
}
