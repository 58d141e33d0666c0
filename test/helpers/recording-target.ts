/** A downstream HTTP service on 127.0.0.1 that answers `body` and keeps each request's headers (propagation tests). */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingTarget {
  /** `http://127.0.0.1:<port><path>` */
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

export async function startRecordingTarget(path: string, body: string): Promise<RecordingTarget> {
  const headers: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    headers.push(req.headers);
    req.resume();
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    headers,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
