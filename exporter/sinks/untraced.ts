/**
 * Wraps a Sink so its calls run inside suppressTracing: the exporter's own HTTP requests to ClickHouse must never
 * become spans that are exported again (a feedback loop), whatever context the flush timer was started in.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { InsertResult, QueryParams, Sink } from './sink';

function untraced<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), fn);
}

export function untracedSink(sink: Sink): Sink {
  return {
    kind: sink.kind,
    insert: (table: string, rows: ReadonlyArray<object>, options: { readonly dedupToken: string }): Promise<InsertResult> =>
      untraced(() => sink.insert(table, rows, options)),
    query: <T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> => untraced(() => sink.query<T>(sql, params)),
    command: (sql: string, params?: QueryParams): Promise<void> => untraced(() => sink.command(sql, params)),
    close: (): Promise<void> => untraced(() => sink.close()),
  };
}
