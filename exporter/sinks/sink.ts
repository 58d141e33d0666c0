/**
 * What the exporter needs from a ClickHouse engine: insert a batch, run a query, close.
 * EmbeddedSink (chDB, in-process) and HttpSink (@clickhouse/client, a server or cluster) implement it.
 */

export type InsertResult =
  | { readonly ok: true }
  /** `retryable` is false for errors that a retry cannot fix (bad credentials, unknown table, type mismatch). */
  | { readonly ok: false; readonly retryable: boolean; readonly error: Error };

export type QueryParams = Readonly<Record<string, unknown>>;

export interface Sink {
  /** 'embedded' or 'http', for logs and self-metrics. */
  readonly kind: string;
  /**
   * Writes rows in one INSERT. `dedupToken` is the same for every retry of the same batch, so a server
   * that saw the first attempt does not store the rows twice (insert_deduplication_token).
   * Never throws: failures are results.
   */
  insert(table: string, rows: ReadonlyArray<object>, options: { readonly dedupToken: string }): Promise<InsertResult>;
  /** Runs a SELECT with `{name:Type}` parameters bound server-side; returns rows as objects (JSONEachRow). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Runs DDL or another statement without a result set, parameters bound as in `query`. */
  command(sql: string, params?: QueryParams): Promise<void>;
  close(): Promise<void>;
}
