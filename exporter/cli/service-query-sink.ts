/**
 * A QueryEngine that goes through a running `otel-activity serve` while it owns the chDB data directory (chDB allows one
 * process per directory): read-only SELECTs by POST /api/query, named operations by POST /api/admin/<name>, table
 * columns by GET /api/tables. The service runs no raw INSERT or DDL for anyone: command() refuses, and rows cannot be
 * written through it at all (it is no RowWriter).
 */
import type { OperationName, OperationResult } from '../service/admin-operations';
import type { TableInfo } from '../service/query-endpoint';
import type { QueryEngine, QueryParams } from '../sinks/query-engine';

export interface ServiceInfo {
  readonly pid: number;
  readonly url: string;
  readonly adminToken: string;
}

export class ServiceQuerySink implements QueryEngine {
  readonly kind = 'service';

  constructor(private readonly service: ServiceInfo) {}

  async query<T = Record<string, unknown>>(sql: string, params: QueryParams = {}): Promise<T[]> {
    const body = await this.post({ sql, params });
    return (Array.isArray(body) ? body : ((body as { rows?: T[] }).rows ?? [])) as T[];
  }

  async command(): Promise<void> {
    throw new Error(`the otel-activity service (pid ${this.service.pid}) runs no raw commands; use a named operation (migrate, retention, cleanup, erase-user, alerts --ack)`);
  }

  /** A named admin operation run by the service on its engine. */
  async operation(name: OperationName, args: Readonly<Record<string, unknown>>): Promise<OperationResult> {
    return (await this.post(args, `/api/admin/${name}`)) as OperationResult;
  }

  /** The queryable tables, their columns and TTL. */
  async tables(): Promise<Record<string, TableInfo>> {
    return ((await this.post(undefined, '/api/tables')) as { tables: Record<string, TableInfo> }).tables;
  }

  async close(): Promise<void> {}

  /** POSTs `payload` as JSON, or GETs when there is none. */
  private async post(payload: object | undefined, pathname = '/api/query'): Promise<unknown> {
    const url = new URL(pathname, this.service.url);
    let response: Response;
    try {
      response = await fetch(url, {
        method: payload === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.service.adminToken}` },
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      });
    } catch (error) {
      throw new Error(`the otel-activity service (pid ${this.service.pid}) at ${url.origin} did not answer: ${(error as Error).message}; is it still running?`);
    }
    const text = await response.text();
    if (!response.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: string }).error ?? text;
      } catch {
        // Plain-text error body.
      }
      throw new Error(`the otel-activity service refused the query (HTTP ${response.status}): ${message}`);
    }
    return text ? JSON.parse(text) : [];
  }
}
