/**
 * POST /api/query for the CLI while this service owns the chDB directory (chDB allows one process per directory):
 * {sql, params} → rows, {sql, params, command: true} → {ok}, {insert, rows} → {ok}. Admin token required.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Sink } from '../sinks/sink';
import { bearerTokenMatches } from './bearer-token';
import { BodyError, readBody } from './read-body';

const MAX_QUERY_BODY_BYTES = 16 * 1024 * 1024;

export async function handleQuery(request: IncomingMessage, response: ServerResponse, sink: Sink, adminToken: string): Promise<void> {
  if (request.method !== 'POST') return sendJson(response, 405, { error: 'use POST with {"sql": "…", "params": {…}}' });
  if (!bearerTokenMatches(request, adminToken)) return sendJson(response, 401, { error: 'missing or wrong admin token (Authorization: Bearer …)' });
  let payload: { sql?: unknown; params?: unknown; command?: unknown; insert?: unknown; rows?: unknown };
  try {
    payload = JSON.parse((await readBody(request, MAX_QUERY_BODY_BYTES)).toString('utf8')) as typeof payload;
  } catch (error) {
    return sendJson(response, error instanceof BodyError ? error.status : 400, { error: `bad request body: ${(error as Error).message}` });
  }
  const params = (payload.params ?? {}) as Record<string, unknown>;
  try {
    if (typeof payload.insert === 'string') {
      if (!Array.isArray(payload.rows)) return sendJson(response, 400, { error: '"rows" must be an array of objects' });
      const result = await sink.insert(payload.insert, payload.rows as object[], { dedupToken: '' });
      return result.ok ? sendJson(response, 200, { ok: true }) : sendJson(response, 400, { error: result.error.message });
    }
    if (typeof payload.sql !== 'string' || payload.sql.trim() === '') return sendJson(response, 400, { error: '"sql" must be a non-empty string' });
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return sendJson(response, 400, { error: '"params" must be an object' });
    if (payload.command === true) {
      await sink.command(payload.sql, params);
      return sendJson(response, 200, { ok: true });
    }
    return sendJson(response, 200, { rows: await sink.query(payload.sql, params) });
  } catch (error) {
    return sendJson(response, 400, { error: (error as Error).message });
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}
