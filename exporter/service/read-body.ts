/**
 * Reads a request body with the size limit enforced while streaming, before and after gzip: a gzip bomb is cut off
 * once its inflated bytes pass the limit, without inflating the rest. With a BodyLease, every byte read or inflated
 * is counted against the service's shared budget as it arrives, and reading stops (429) once the budget is spent.
 */
import type { IncomingMessage } from 'node:http';
import * as zlib from 'node:zlib';
import type { BodyLease } from './body-budget';

/** Why a body could not be read; `status` is the HTTP answer (400, 413, 415; 429 when the body budget is spent). */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415 | 429,
    message: string,
  ) {
    super(message);
  }
}

export async function readBody(request: IncomingMessage, maxBodyBytes: number, lease?: BodyLease): Promise<Buffer> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'gzip' && encoding !== 'identity' && encoding !== '') {
    throw new BodyError(415, `unsupported Content-Encoding "${encoding}": send gzip or no encoding`);
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    throw new BodyError(413, `request body of ${declared} bytes is over the limit of ${maxBodyBytes} bytes (maxBodyBytes)`);
  }
  const raw = collect(request, maxBodyBytes, 'request body', lease);
  if (encoding !== 'gzip') return raw.promise;
  const gunzip = zlib.createGunzip();
  request.pipe(gunzip);
  const inflated = collect(gunzip, maxBodyBytes, 'decompressed request body', lease);
  // A late gunzip error after we gave up must not become an unhandled 'error' event.
  gunzip.on('error', () => undefined);
  try {
    // all(): whichever limit trips first answers; waiting on one while the other is paused would hang.
    const [, body] = await Promise.all([raw.promise, inflated.promise]);
    return body;
  } catch (error) {
    request.unpipe(gunzip);
    gunzip.destroy();
    raw.promise.catch(() => undefined);
    inflated.promise.catch(() => undefined);
    throw error;
  } finally {
    raw.cleanup();
    inflated.cleanup();
  }
}

interface Collected {
  readonly promise: Promise<Buffer>;
  cleanup(): void;
}

function collect(stream: NodeJS.ReadableStream & { destroy?: () => void; pause(): unknown }, limit: number, what: string, lease: BodyLease | undefined): Collected {
  const chunks: Buffer[] = [];
  let size = 0;
  let onData: (chunk: Buffer) => void = () => undefined;
  let onEnd: () => void = () => undefined;
  let onError: (error: Error) => void = () => undefined;
  const promise = new Promise<Buffer>((resolve, reject) => {
    onData = (chunk) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading: a bomb must not inflate further, an oversized upload must not fill memory.
        stream.pause();
        stream.removeListener('data', onData);
        reject(new BodyError(413, `${what} is over the limit of ${limit} bytes (maxBodyBytes)`));
        return;
      }
      if (lease && !lease.add(chunk.length)) {
        stream.pause();
        stream.removeListener('data', onData);
        reject(new BodyError(429, 'the service holds as many request bytes as it may (OTEL_ACTIVITY_BODY_BUDGET_BYTES)'));
        return;
      }
      chunks.push(chunk);
    };
    onEnd = () => resolve(Buffer.concat(chunks, size));
    onError = (error) =>
      reject(error instanceof BodyError ? error : new BodyError(400, `could not read the ${what}: ${(error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' || (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? `invalid gzip data (${error.message})` : error.message}`));
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
  });
  return {
    promise,
    cleanup: () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
    },
  };
}
