/**
 * Wraps a RowWriter or QueryEngine so its calls run inside suppressTracing: the exporter's own HTTP requests to
 * ClickHouse must never become spans that are exported again (a feedback loop), whatever context the flush timer was
 * started in.
 */
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { QueryEngine, QueryParams } from './query-engine';
import type { InsertOptions, InsertResult, RowWriter } from './row-writer';

function untraced<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), fn);
}

export function untracedRowWriter(writer: RowWriter): RowWriter {
  const flush = writer.flush?.bind(writer);
  return {
    kind: writer.kind,
    insert: (table: string, rows: ReadonlyArray<object>, options: InsertOptions): Promise<InsertResult> => untraced(() => writer.insert(table, rows, options)),
    ...(flush ? { flush: (): Promise<void> => untraced(flush) } : {}),
    close: (): Promise<void> => untraced(() => writer.close()),
  };
}

export function untracedEngine(engine: QueryEngine): QueryEngine {
  return {
    kind: engine.kind,
    query: <T = Record<string, unknown>>(sql: string, params?: QueryParams): Promise<T[]> => untraced(() => engine.query<T>(sql, params)),
    command: (sql: string, params?: QueryParams): Promise<void> => untraced(() => engine.command(sql, params)),
    close: (): Promise<void> => untraced(() => engine.close()),
  };
}
