/**
 * The bench's plain node:http app: GET /hello and GET /api/items/:id. Prints "LISTENING <port>" once up.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HELLO_BODY, realisticBody } from './app-work';
import { startMemoryProbe } from './memory-probe';

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/hello') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(HELLO_BODY);
  } else if (url.startsWith('/api/items/')) {
    const body = realisticBody(url.slice('/api/items/'.length));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
});
// The bench ends a profiled run with SIGUSR2: a normal exit, so --cpu-prof writes its file (no SDK handles it).
process.on('SIGUSR2', () => process.exit(0));
// bench/sdk-memory.ts: where the app's memory is, once a second, without a route the SDK would trace.
if (process.env.BENCH_MEMORY_PROBE === '1') startMemoryProbe();
