/**
 * The baseline's trace collector: a node:http server that accepts POST /v1/traces, drains the body and
 * answers 200 with an empty JSON object. Counts requests and bytes so a run can show spans did leave the app.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NullSink {
  readonly url: string;
  readonly stats: { requests: number; bytes: number };
  close(): Promise<void>;
}

export async function startNullSink(): Promise<NullSink> {
  const stats = { requests: 0, bytes: 0 };
  const server = http.createServer((req, res) => {
    req.on('data', (chunk: Buffer) => {
      stats.bytes += chunk.length;
    });
    req.on('end', () => {
      stats.requests++;
      const isProto = (req.headers['content-type'] ?? '').includes('protobuf');
      res.writeHead(200, { 'content-type': isProto ? 'application/x-protobuf' : 'application/json' });
      res.end(isProto ? '' : '{}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
