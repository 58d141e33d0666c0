/**
 * The service's own /api/* for the CLI and scripts: POST /api/query (one read-only SELECT over the activity tables,
 * viewer or admin token), GET /api/tables (their columns), POST /api/admin/<operation> (admin token, named
 * operations only). Every call that names a valid token is an audit row in `activities`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActivityConfig } from '../config';
import { recordAudit, type AuditContext } from '../dashboard/audit-log';
import type { Sink } from '../sinks/sink';
import { isOperationName, OperationArgumentError, OperationNotFoundError, OPERATION_NAMES, runOperation } from './admin-operations';
import { apiRoleOf, type ApiRole, type ApiTokens } from './api-access';
import { BodyError, readBody } from './read-body';
import { ForbiddenQueryError, QUERYABLE_TABLES, runReadOnlyQuery } from './read-only-query';

const MAX_API_BODY_BYTES = 1024 * 1024;

export interface ApiOptions {
  readonly sink: Sink;
  readonly tokens: ApiTokens;
  readonly config: ActivityConfig;
  readonly audit: AuditContext;
}

/** Answers /api/query, /api/tables and /api/admin/*; resolves false for other paths. */
export async function handleServiceApi(request: IncomingMessage, response: ServerResponse, pathname: string, options: ApiOptions): Promise<boolean> {
  if (pathname !== '/api/query' && pathname !== '/api/tables' && !pathname.startsWith('/api/admin/')) return false;
  const role = apiRoleOf(request, options.tokens);
  if (!role) {
    sendJson(response, 401, { error: 'missing or wrong token (Authorization: Bearer <OTEL_ACTIVITY_VIEWER_TOKEN or OTEL_ACTIVITY_ADMIN_TOKEN>)' });
    return true;
  }
  let status = 500;
  let details: Record<string, unknown> = {};
  const reply = (code: number, body: unknown) => {
    status = code;
    sendJson(response, code, body);
  };
  try {
    if (pathname === '/api/query') details = await query(request, role, options, reply);
    else if (pathname === '/api/tables') await tables(request, options, reply);
    else details = await operation(request, role, pathname.slice('/api/admin/'.length), options, reply);
  } finally {
    await recordAudit(options.sink, options.audit, request, {
      action: pathname === '/api/query' ? 'api.query' : pathname === '/api/tables' ? 'api.read' : 'admin.operation',
      resourceType: 'api',
      resourceId: pathname,
      actor: role,
      details: { status, ...details },
    });
  }
  return true;
}

type Reply = (status: number, body: unknown) => void;

async function readJson(request: IncomingMessage, reply: Reply): Promise<Record<string, unknown> | undefined> {
  try {
    const text = (await readBody(request, MAX_API_BODY_BYTES)).toString('utf8');
    const body = text.trim() === '' ? {} : (JSON.parse(text) as unknown);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new SyntaxError('the body must be a JSON object');
    return body as Record<string, unknown>;
  } catch (error) {
    reply(error instanceof BodyError ? error.status : 400, { error: `bad request body: ${(error as Error).message}` });
    return undefined;
  }
}

async function query(request: IncomingMessage, role: ApiRole, options: ApiOptions, reply: Reply): Promise<Record<string, unknown>> {
  if (request.method !== 'POST') {
    reply(405, { error: 'use POST with {"sql": "SELECT …", "params": {…}}' });
    return {};
  }
  const payload = await readJson(request, reply);
  if (!payload) return {};
  if (payload.insert !== undefined || payload.command !== undefined) {
    reply(403, { error: `raw INSERT and commands are not accepted with the ${role} token; use the named operations POST /api/admin/{${OPERATION_NAMES.join(',')}}` });
    return { refused: 'insert/command' };
  }
  const sql = payload.sql;
  const params = payload.params ?? {};
  if (typeof sql !== 'string' || sql.trim() === '') {
    reply(400, { error: '"sql" must be a non-empty string' });
    return {};
  }
  const details = { sql: sql.slice(0, 2000) };
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    reply(400, { error: '"params" must be an object' });
    return details;
  }
  const { service } = options.config;
  try {
    const rows = await runReadOnlyQuery(options.sink, sql, params as Record<string, unknown>, {
      maxExecutionSeconds: service.queryMaxExecutionSeconds,
      maxResultRows: service.queryMaxResultRows,
      maxResultBytes: service.queryMaxResultBytes,
      maxMemoryBytes: service.queryMaxMemoryBytes,
    });
    reply(200, { rows });
  } catch (error) {
    reply(error instanceof ForbiddenQueryError ? 403 : 400, { error: (error as Error).message });
  }
  return details;
}

/** The queryable tables that exist: columns, and the TTL the engine applies (from their CREATE statement). */
async function tables(request: IncomingMessage, options: ApiOptions, reply: Reply): Promise<void> {
  if (request.method !== 'GET') return reply(405, { error: 'use GET' });
  const params = { tables: [...QUERYABLE_TABLES] };
  const columns = await options.sink.query<{ table: string; name: string; type: string }>(
    'SELECT table, name, type FROM system.columns WHERE database = currentDatabase() AND table IN {tables:Array(String)} ORDER BY table, position',
    params,
  );
  const ttls = await options.sink.query<{ name: string; ttl: string }>(
    "SELECT name, trim(extract(create_table_query, 'TTL ([^S]*)')) AS ttl FROM system.tables WHERE database = currentDatabase() AND name IN {tables:Array(String)}",
    params,
  );
  const byTable: Record<string, TableInfo> = {};
  for (const { name, ttl } of ttls) byTable[name] = { columns: [], ttl };
  for (const c of columns) byTable[c.table]?.columns.push({ name: c.name, type: c.type });
  reply(200, { tables: byTable });
}

export interface TableInfo {
  readonly columns: Array<{ name: string; type: string }>;
  /** The TTL expression, '' when the table has none. */
  readonly ttl: string;
}

async function operation(request: IncomingMessage, role: ApiRole, name: string, options: ApiOptions, reply: Reply): Promise<Record<string, unknown>> {
  if (!isOperationName(name)) {
    reply(404, { error: `no operation "${name}"; operations: ${OPERATION_NAMES.join(', ')}` });
    return { operation: name };
  }
  if (role !== 'admin') {
    reply(403, { error: `${name} needs the admin token (OTEL_ACTIVITY_ADMIN_TOKEN); the viewer token only reads` });
    return { operation: name };
  }
  if (request.method !== 'POST') {
    reply(405, { error: `use POST /api/admin/${name} with a JSON object of arguments` });
    return { operation: name };
  }
  const args = await readJson(request, reply);
  if (!args) return { operation: name };
  try {
    reply(200, await runOperation(name, options.sink, args, options.config));
  } catch (error) {
    reply(error instanceof OperationArgumentError ? 400 : error instanceof OperationNotFoundError ? 404 : 500, { error: (error as Error).message });
  }
  // An erasure's audit row must not keep the id it erased.
  return name === 'erase-user' ? { operation: name } : { operation: name, args };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}
