/**
 * The ClickHouse engine as migrations, reports, alerts, the dashboard and the query API use it: SQL with
 * `{name:Type}` parameters bound server-side, nothing built from values.
 */

export type QueryParams = Readonly<Record<string, unknown>>;

export interface QueryEngine {
  /** 'embedded', 'http' or 'service', for logs and self-metrics. */
  readonly kind: string;
  /** Runs a SELECT; returns rows as objects (JSONEachRow). */
  query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]>;
  /** Runs DDL or another statement without a result set, parameters bound as in `query`. */
  command(sql: string, params?: QueryParams): Promise<void>;
  close(): Promise<void>;
}
