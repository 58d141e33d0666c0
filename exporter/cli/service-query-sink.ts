/**
 * A read/command Sink that goes through a running `otel-activity serve` (POST /api/query with the admin token), used
 * while that service owns the chDB data directory: chDB allows one process per directory.
 */
import type { InsertResult, QueryParams, Sink } from '../sinks/sink';

export interface ServiceInfo {
  readonly pid: number;
  readonly url: string;
  readonly adminToken: string;
}

export class ServiceQuerySink implements Sink {
  readonly kind = 'service';

  constructor(private readonly service: ServiceInfo) {}

  async insert(table: string, rows: ReadonlyArray<object>): Promise<InsertResult> {
    try {
      await this.post({ insert: table, rows });
      return { ok: true };
    } catch (error) {
      return { ok: false, retryable: false, error: error as Error };
    }
  }

  async query<T = Record<string, unknown>>(sql: string, params: QueryParams = {}): Promise<T[]> {
    const body = await this.post({ sql, params });
    return (Array.isArray(body) ? body : ((body as { rows?: T[] }).rows ?? [])) as T[];
  }

  async command(sql: string, params: QueryParams = {}): Promise<void> {
    await this.post({ sql, params, command: true });
  }

  async close(): Promise<void> {}

  private async post(payload: object): Promise<unknown> {
    const url = new URL('/api/query', this.service.url);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.service.adminToken}` },
        body: JSON.stringify(payload),
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
