/**
 * The client's address: the socket peer, or the first X-Forwarded-For hop when the app sits behind a proxy it
 * trusts (otherwise that header is the client's to forge).
 */
import type { IncomingMessage } from 'node:http';

export function clientAddress(request: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) {
    const header = request.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header[0] : header;
    if (value) {
      const comma = value.indexOf(',');
      const first = (comma === -1 ? value : value.slice(0, comma)).trim();
      if (first !== '') return first;
    }
  }
  return request.socket?.remoteAddress;
}
