/**
 * Sink for a ClickHouse server or cluster over HTTP(S) with @clickhouse/client: JSONEachRow inserts carrying the
 * batch's insert_deduplication_token, queries with server-side bound parameters, errors with the server's code.
 */
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { diag } from '@opentelemetry/api';
import type { InsertResult, QueryParams, Sink } from './sink';
import {
  AUTH_ERROR_CODES,
  ClickHouseAuthError,
  ClickHouseServerError,
  NON_RETRYABLE_CODES,
  serverCode,
} from './clickhouse-errors';

export interface HttpSinkOptions {
  /** http(s)://host:port; https gives TLS. */
  readonly url: string;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** gzip request and response bodies. */
  readonly compression: boolean;
  readonly requestTimeoutMs?: number;
  /**
   * Send insert_deduplication_token (ClickHouse 22.2+). 'auto' (default) sends it and stops, logging once, if the
   * server does not know the setting; such old servers need a ReplacingMergeTree or block-hash dedup for idempotence.
   */
  readonly dedupToken?: boolean | 'auto';
}

const UNKNOWN_SETTING = 115;

export class HttpSink implements Sink {
  readonly kind = 'http';
  private readonly client: ClickHouseClient;
  private readonly options: HttpSinkOptions;
  private sendDedupToken: boolean;

  constructor(options: HttpSinkOptions) {
    this.options = options;
    this.sendDedupToken = options.dedupToken !== false;
    this.client = createClient({
      url: options.url,
      username: options.user,
      password: options.password,
      database: options.database,
      compression: { request: options.compression, response: options.compression },
      request_timeout: options.requestTimeoutMs ?? 30_000,
      // Failures are returned as results and reported through diag; the client's own console logger would duplicate them.
      log: { level: ClickHouseLogLevel.OFF },
    });
  }

  async insert(table: string, rows: ReadonlyArray<object>, options: { readonly dedupToken: string }): Promise<InsertResult> {
    if (rows.length === 0) return { ok: true };
    // Captured per request: concurrent inserts may all learn at once that the server lacks the setting.
    const sentToken = this.sendDedupToken;
    try {
      await this.client.insert({
        table,
        values: rows as object[],
        format: 'JSONEachRow',
        // The second setting makes a replayed batch count once in the rollup views too, not only in the raw table.
        clickhouse_settings: sentToken
          ? {
              insert_deduplication_token: options.dedupToken,
              deduplicate_blocks_in_dependent_materialized_views: 1,
              // As in EmbeddedSink: a batch across > 100 daily partitions must not fail on every retry.
              max_partitions_per_insert_block: '0',
            }
          : {},
      });
      return { ok: true };
    } catch (raw) {
      const error = this.toError(raw);
      if (
        error.code === UNKNOWN_SETTING &&
        sentToken &&
        this.options.dedupToken !== true &&
        /insert_deduplication_token|deduplicate_blocks_in_dependent_materialized_views|max_partitions_per_insert_block/.test(error.message)
      ) {
        if (this.sendDedupToken) diag.warn(`otel-activity: ClickHouse at ${this.options.url} does not support insert_deduplication_token (needs 22.2+); retries rely on the table's own deduplication`);
        this.sendDedupToken = false;
        return this.insert(table, rows, options);
      }
      // No server code means the request never got an answer (refused, reset, timed out): worth a retry.
      const retryable = error.code === undefined || !NON_RETRYABLE_CODES.has(error.code);
      return { ok: false, retryable, error };
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> {
    try {
      const result = await this.client.query({ query: sql, format: 'JSONEachRow', ...(params ? { query_params: params as Record<string, unknown> } : {}) });
      return await result.json<T>();
    } catch (raw) {
      throw this.toError(raw);
    }
  }

  async command(sql: string, params?: QueryParams): Promise<void> {
    try {
      await this.client.command({ query: sql, ...(params ? { query_params: params as Record<string, unknown> } : {}) });
    } catch (raw) {
      throw this.toError(raw);
    }
  }

  /** True when the server answers /ping. */
  async ping(): Promise<boolean> {
    const result = await this.client.ping();
    return result.success;
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Keeps the server's code and message; names the user on an auth failure, since that is what needs fixing. */
  private toError(raw: unknown): ClickHouseServerError {
    // An old server refusing a URL past its limit (18.16: 16 KB of query parameters) answers 400 with no body.
    const message = (raw instanceof Error ? raw.message : String(raw)) || 'the server answered an HTTP error without a message';
    const code = serverCode(raw);
    if (code !== undefined && AUTH_ERROR_CODES.has(code)) {
      return new ClickHouseAuthError(
        `ClickHouse rejected user ${this.options.user}: ${message.trim()} (code ${code}). Check OTEL_ACTIVITY_CLICKHOUSE_USER and OTEL_ACTIVITY_CLICKHOUSE_PASSWORD.`,
        code,
      );
    }
    const error = new ClickHouseServerError(code === undefined ? message : `${message.trim()} (code ${code})`, code);
    if (raw instanceof Error) (error as { cause?: unknown }).cause = raw;
    return error;
  }
}
