/**
 * The bench's express app, same routes as http-app.ts. Prints "LISTENING <port>" once up.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { HELLO_BODY, realisticBody } from './app-work';

const app = express();
app.get('/hello', (_req, res) => {
  res.type('text/plain').send(HELLO_BODY);
});
app.get('/api/items/:id', (req, res) => {
  res.type('application/json').send(realisticBody(req.params.id));
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
});
server.keepAliveTimeout = 60_000;
// The bench ends a profiled run with SIGUSR2: a normal exit, so --cpu-prof writes its file (no SDK handles it).
process.on('SIGUSR2', () => process.exit(0));
