/**
 * A small plain-node http app run as a child under `node --require <repo>/sdk/dist/register.js`, the way users run it:
 * routes with ids, a login route that reads a body, a slow route, an error route, and an outbound fetch.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { REGISTER_CJS } from './built-paths';
import { startPreloadedApp } from './preloaded-app';

/** Secrets the app puts in response bodies: they must never appear in a span. */
export const RESPONSE_SECRET = 'resp-secret-7f3a9c';

const APP_SOURCE = `
const http = require('node:http');
const RESPONSE_SECRET = ${JSON.stringify(RESPONSE_SECRET)};
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/items/')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: url.pathname.split('/')[2], secret: RESPONSE_SECRET }));
    } else if (url.pathname === '/login') {
      const body = Buffer.concat(chunks).toString();
      res.writeHead(body.includes('good') ? 200 : 401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: body.includes('good'), secret: RESPONSE_SECRET }));
    } else if (url.pathname === '/slow') {
      setTimeout(() => { res.writeHead(200); res.end('slow ' + RESPONSE_SECRET); }, Number(url.searchParams.get('ms') || 50));
    } else if (url.pathname === '/boom') {
      res.writeHead(500); res.end('boom');
    } else if (url.pathname === '/call') {
      fetch(process.env.TARGET_URL).then((r) => r.text()).then((t) => { res.writeHead(200); res.end(t); }, (e) => { res.writeHead(502); res.end(String(e)); });
    } else {
      res.writeHead(404); res.end();
    }
  });
});
server.keepAliveTimeout = 100;
server.listen(0, '127.0.0.1', () => process.stdout.write('LISTENING ' + server.address().port + '\\n'));
`;

export interface FixtureApp {
  readonly port: number;
  readonly baseUrl: string;
  /** What the app wrote to stdout, then to stderr. */
  output(): string;
  /** Sends `signal` and resolves with how the process ended. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  dispose(): Promise<void>;
}

/** `source` replaces the plain-node app (e.g. an express or fastify app); it must print `LISTENING <port>`. */
export async function startFixtureApp(env: Record<string, string>, source: string = APP_SOURCE): Promise<FixtureApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-app-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fixture-app', version: '1.2.3', private: true }));
  fs.writeFileSync(path.join(dir, 'app.js'), source);
  const app = await startPreloadedApp({
    cwd: dir,
    args: ['--require', REGISTER_CJS, 'app.js'],
    // Its own buffer of unsent spans: apps of other tests never send (or receive) each other's leftovers.
    env: { HOME: dir, OTEL_ACTIVITY_BUFFER_DIR: path.join(dir, 'buffer'), ...env },
    startTimeoutMs: 20_000,
  });
  return {
    port: app.port,
    baseUrl: `http://127.0.0.1:${app.port}`,
    output: () => app.stdout() + app.stderr(),
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) {
      app.kill(signal); // no effect once it has exited
      const timer = setTimeout(() => app.kill('SIGKILL'), graceMs);
      try {
        return await app.exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async dispose() {
      app.kill('SIGKILL');
      await app.exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
