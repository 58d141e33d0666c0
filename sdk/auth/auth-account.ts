/**
 * The account a request to an auth route tried (`{"user": {"email": …}}`), from ONE configured JSON body field, so a
 * failed login names it. The body is seen as the app reads it, never read by us; nothing else of it is kept.
 */
import type { IncomingMessage } from 'node:http';
import { headerNumber, rawHeader } from '../request/raw-header';
import type { ActivityRuntime } from '../runtime/activity-runtime';
import type { RequestState } from '../runtime/request-state';
import { textArg } from '../runtime/safe-args';

/** Only this much of a body is looked at; a login body is well under 1 KB. Larger bodies name no account. */
export const AUTH_BODY_MAX_BYTES = 16 * 1024;
const MAX_ACCOUNT_CHARS = 256;

/** The first bytes of a request body, copied as Node's HTTP parser hands them to the request stream. */
export interface BodyPrefix {
  chunks: Buffer[];
  bytes: number;
  /** More than AUTH_BODY_MAX_BYTES arrived: the prefix is dropped, no account is named. */
  overflow: boolean;
  /** Our wrapper of the request's `push`, removed by stopObservingBody() only if nobody has wrapped it since. */
  observer: unknown;
}

export type AuthAccountReader = (body: BodyPrefix) => string | undefined;

function isJson(contentType: string): boolean {
  const semi = contentType.indexOf(';');
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/**
 * Starts copying the body's first bytes, for JSON bodies that are not compressed and not declared too large.
 * The request's own `push` (what the HTTP parser calls for each chunk) is wrapped on this one request: the stream's
 * mode, its buffering and what the app's `data` listeners get are unchanged, and a body the app never reads is
 * never read. Call stopObservingBody() when the request is done.
 */
export function observeBody(request: IncomingMessage): BodyPrefix | undefined {
  const contentType = rawHeader(request, 'content-type');
  if (contentType === undefined || !isJson(contentType)) return undefined;
  const encoding = rawHeader(request, 'content-encoding');
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return undefined;
  const declared = headerNumber(rawHeader(request, 'content-length'));
  if (declared !== undefined && declared > AUTH_BODY_MAX_BYTES) return undefined;
  const prefix: BodyPrefix = { chunks: [], bytes: 0, overflow: false, observer: undefined };
  const push = request.push;
  request.push = prefix.observer = function observedPush(this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (!prefix.overflow && Buffer.isBuffer(chunk)) {
      if (prefix.bytes + chunk.length > AUTH_BODY_MAX_BYTES) {
        prefix.overflow = true;
        prefix.chunks = [];
      } else {
        // A copy: the parser's chunk may share a socket buffer we should not keep alive.
        prefix.chunks.push(Buffer.from(chunk));
        prefix.bytes += chunk.length;
      }
    }
    return push.call(this, chunk, encoding);
  };
  return prefix;
}

/** Restores the request's own `push` and lets go of the copied bytes. */
export function stopObservingBody(request: IncomingMessage, prefix: BodyPrefix): void {
  if (Object.hasOwn(request, 'push') && request.push === prefix.observer) delete (request as { push?: unknown }).push;
  prefix.chunks = [];
}

/** Reads `field` (a name or dotted path) from a JSON body prefix; undefined for anything else. Never throws. */
export function createAuthAccountReader(field: string): AuthAccountReader | undefined {
  if (field === '') return undefined;
  const path = field.split('.');
  return (body) => {
    if (body.overflow || body.bytes === 0) return undefined;
    let at: unknown;
    try {
      at = JSON.parse(Buffer.concat(body.chunks, body.bytes).toString('utf8'));
    } catch {
      return undefined;
    }
    for (const part of path) {
      at = typeof at === 'object' && at !== null && !Array.isArray(at) && Object.hasOwn(at, part) ? (at as Record<string, unknown>)[part] : undefined;
    }
    const account = typeof at === 'string' ? at.trim() : typeof at === 'number' ? textArg(at) : undefined;
    return account === undefined || account === '' ? undefined : account.slice(0, MAX_ACCOUNT_CHARS);
  };
}

/**
 * The account the declarative auth event names, read once at the end of the request (and the body copy let go):
 * undefined when the app said who the user is (setUser, identify) or recorded the event itself (trackAuth). It
 * wins over a bearer token's claim: the account tried is what a failed login is about.
 */
export function takeAttemptedAccount(state: RequestState, runtime: ActivityRuntime): string | undefined {
  const body = state.authBody;
  if (body === undefined) return undefined;
  state.authBody = undefined;
  const appSaid = state.authTracked || (state.userId !== undefined && !state.userIdFromToken);
  const account = appSaid || runtime.authAccountOf === undefined ? undefined : runtime.authAccountOf(body);
  stopObservingBody(state.request, body);
  return account;
}
