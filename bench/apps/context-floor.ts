/**
 * The floor under any in-process tracer that propagates context on Node 20: per inbound request, one
 * diagnostics-channel message, one AsyncLocalStorage.enterWith (async_hooks then copy it to every async resource
 * the request creates) and one 'close' listener. No span, no export. Preloaded as bench variant (e).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';

const storage = new AsyncLocalStorage<IncomingMessage>();
let ended = 0;
diagnosticsChannel.subscribe('http.server.request.start', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  storage.enterWith(request);
  response.once('close', () => {
    ended++;
  });
});
process.once('exit', () => {
  if (process.env.BENCH_VERBOSE) process.stderr.write(`context floor: ${ended} requests\n`);
});
