/**
 * The real OTLP ingest service (`otel-activity serve`, the server package's CLI) as a child process on port 0 with its own
 * data directory, plus the two things the benches ask of it: POST a payload, and count rows through /api/query.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startChild, type StartedChild } from './child-process';

export const CLI_MAIN = path.join(path.dirname(require.resolve('otel-activity-server/package.json')), 'dist', 'exporter', 'cli', 'main.js');
const ADMIN_TOKEN = 'bench-admin-token-5f1c';

export interface ServiceChild {
  readonly url: string;
  readonly root: string;
  readonly started: StartedChild;
  post(pathname: string, body: Uint8Array, contentType: string): Promise<{ status: number; retryAfter?: string; body: string }>;
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  count(table: string): Promise<number>;
  /** The service's GET /metrics (JSON). */
  metrics(): Promise<{
    memory?: { rssBytes: number; heapUsedBytes: number; externalBytes: number };
    eventLoopDelayMaxMs?: number;
    shedRequests?: number;
    droppedTotal?: number;
  }>;
  stop(): Promise<void>;
}

export function serviceBuilt(): boolean {
  return fs.existsSync(CLI_MAIN);
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(url: string, method: string, body: Uint8Array | string | undefined, headers: Record<string, string>) {
  return new Promise<{ status: number; retryAfter?: string; body: string }>((resolve, reject) => {
    const length = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = http.request(url, { method, headers: { ...headers, ...length }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startService(options: { env?: NodeJS.ProcessEnv; cpus?: string } = {}): Promise<ServiceChild> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-service-'));
  const started = await startChild({
    name: 'otel-activity serve',
    nodeArgs: [CLI_MAIN, 'serve', '--port', '0', '--data-dir', path.join(root, 'data')],
    env: { OTEL_ACTIVITY_ADMIN_TOKEN: ADMIN_TOKEN, OTEL_ACTIVITY_SPOOL_DIR: path.join(root, 'spool'), ...options.env },
    cpus: options.cpus,
    portPattern: /listening on http:\/\/[^\s]*:(\d+)/,
    timeoutMs: 90_000,
  });
  const url = `http://127.0.0.1:${started.port}`;
  const query = async <T>(sql: string): Promise<T[]> => {
    const res = await request(`${url}/api/query`, 'POST', JSON.stringify({ sql }), {
      'content-type': 'application/json',
      authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    if (res.status !== 200) throw new Error(`query failed (${res.status}): ${res.body}`);
    return (JSON.parse(res.body) as { rows: T[] }).rows;
  };
  return {
    url,
    root,
    started,
    post: (pathname, body, contentType) => request(`${url}${pathname}`, 'POST', body, { 'content-type': contentType }),
    query,
    metrics: async () => JSON.parse((await request(`${url}/metrics`, 'GET', undefined, {})).body) as Awaited<ReturnType<ServiceChild['metrics']>>,
    count: async (table) => Number((await query<{ n: string | number }>(`SELECT count() AS n FROM ${table}`))[0]?.n ?? 0),
    stop: async () => {
      await started.kill();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
