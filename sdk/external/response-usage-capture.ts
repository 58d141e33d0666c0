/**
 * Usage read from LLM API responses with no code: for calls to known LLM endpoints, the bytes the app receives
 * are observed as they pass (never buffered or delayed: undici's Request.onData, IncomingMessage.push), a bounded
 * head and tail are kept, and at span end only model and token counts are read from them. The span ends on the
 * next turn of the loop, so a recordUsage() right after the awaited call replaces these counts instead of adding a row.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { ATTR_ACTIVITY_KIND, ATTR_ACTIVITY_USAGE_SOURCE, ATTR_URL_FULL } from '../attributes';
import type { ActivityRuntime } from '../runtime/activity-runtime';
import { usageFromResponseText } from './llm-response-usage';
import { deferEnd } from './recent-calls';
import { priceUsage, usageAttributes } from './token-usage';

/** Model sits in the first bytes (OpenAI, Anthropic), usage in the last (all three); 16 KiB each is ample. */
const HEAD_BYTES = 16 * 1024;
const TAIL_BYTES = 16 * 1024;
/** A compressed body is kept whole to be inflated at the end; past this it is not read. */
const MAX_ENCODED_BYTES = 1024 * 1024;
const MAX_DECODED_BYTES = 16 * 1024 * 1024;

/**
 * The endpoints whose responses carry usage: OpenAI-style chat/completions, completions, responses, embeddings
 * (also Azure OpenAI, OpenRouter, Groq, Together, Mistral, DeepSeek, vLLM, LiteLLM), Anthropic messages, Gemini
 * generateContent and streamGenerateContent. Matched on the path's end, on any host, so local proxies count; the
 * generic names (responses, embeddings, messages) only under a version or deployment segment, so an app's own
 * `/forms/7/responses` is left alone.
 */
const LLM_PATH_RE =
  /(?:\/chat\/completions|(?:\/v\d[^/]*|\/openai|\/deployments\/[^/]+)\/(?:completions|responses|embeddings)|\/v\d[^/]*\/messages|\/models\/[^/:]+:(?:generateContent|streamGenerateContent))$/;

/** The path's last characters, for a cheap first test every outbound call pays. */
const LLM_PATH_ENDINGS = ['/completions', '/responses', '/embeddings', '/messages', ':generateContent', ':streamGenerateContent'];

export function isLlmEndpointPath(pathAndQuery: string): boolean {
  const q = pathAndQuery.indexOf('?');
  const path = q === -1 ? pathAndQuery : pathAndQuery.slice(0, q);
  return LLM_PATH_ENDINGS.some((ending) => path.endsWith(ending)) && LLM_PATH_RE.test(path);
}

/**
 * The first HEAD_BYTES and last TAIL_BYTES of a body, kept as references to the chunks the app receives (no copy
 * while the body streams; the chunks are the socket's, never reused), joined only when the call ends.
 */
class BodySample {
  private readonly head: Uint8Array[] = [];
  private headBytes = 0;
  private readonly tail: Uint8Array[] = [];
  private tailBytes = 0;
  private total = 0;
  private encodedTooLarge = false;
  encoding = '';

  observe(chunk: Uint8Array): void {
    const length = chunk.byteLength;
    if (length === 0) return;
    this.total += length;
    if (this.encoding !== '') {
      // Compressed: inflated whole at the end, so every chunk is kept, up to a bound.
      if (this.total > MAX_ENCODED_BYTES) this.encodedTooLarge = true;
      else this.head.push(chunk);
      return;
    }
    if (this.headBytes < HEAD_BYTES) {
      this.head.push(chunk);
      this.headBytes += length;
      if (this.headBytes <= HEAD_BYTES) return;
    }
    // The chunk that crosses the head's end is in both lists: overlap is harmless, later fields win anyway.
    this.tail.push(chunk);
    this.tailBytes += length;
    while (this.tail.length > 1 && this.tailBytes - this.tail[0].byteLength >= TAIL_BYTES) this.tailBytes -= (this.tail.shift() as Uint8Array).byteLength;
  }

  /** The sampled text: head, tail, and whether the head is the whole body. */
  text(): { head: string; tail: string; whole: boolean } | undefined {
    if (this.head.length === 0) return undefined;
    if (this.encoding !== '') return this.encodedTooLarge ? undefined : split(decode(this.encoding, Buffer.concat(this.head)));
    const head = Buffer.concat(this.head);
    if (this.total <= HEAD_BYTES) return split(head);
    const tail = Buffer.concat(this.tail);
    return { head: head.toString('utf8', 0, HEAD_BYTES), tail: tail.toString('utf8', Math.max(0, tail.length - TAIL_BYTES)), whole: false };
  }
}

function split(body: Buffer | undefined): { head: string; tail: string; whole: boolean } | undefined {
  if (body === undefined) return undefined;
  if (body.length <= HEAD_BYTES) {
    const text = body.toString('utf8');
    return { head: text, tail: text, whole: true };
  }
  return { head: body.toString('utf8', 0, HEAD_BYTES), tail: body.toString('utf8', Math.max(HEAD_BYTES, body.length - TAIL_BYTES)), whole: false };
}

// Loaded on the first compressed LLM response: zlib is resident memory an app that never inflates would pay for.
let zlibModule: typeof import('node:zlib') | undefined;

function decode(encoding: string, body: Buffer): Buffer | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose
  const zlib = (zlibModule ??= require('node:zlib') as typeof import('node:zlib'));
  // SYNC_FLUSH: a stream cut short still inflates up to where it stopped.
  const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED_BYTES };
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(body, options);
  if (encoding === 'deflate') return zlib.inflateSync(body, options);
  if (encoding === 'br') return zlib.brotliDecompressSync(body, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH, maxOutputLength: MAX_DECODED_BYTES });
  return undefined;
}

const samples = new WeakMap<object, BodySample>();

function observer(span: object): BodySample {
  const sample = new BodySample();
  samples.set(span, sample);
  return sample;
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // Observation must never reach the app: a failure only loses this call's usage.
  }
}

interface UndiciRequestLike {
  path?: unknown;
  onHeaders?: (statusCode: number, headers: unknown, ...rest: unknown[]) => unknown;
  onData?: (chunk: Uint8Array) => unknown;
}

/** From instrumentation-undici's requestHook: observes the response body of a fetch to an LLM endpoint. */
export function captureUndiciUsage(runtime: ActivityRuntime, span: object, request: UndiciRequestLike): void {
  if (!runtime.config.captureLlmUsage || typeof request.path !== 'string' || !isLlmEndpointPath(request.path)) return;
  const onHeaders = request.onHeaders;
  const onData = request.onData;
  if (typeof onHeaders !== 'function' || typeof onData !== 'function') return;
  const sample = observer(span);
  deferRowEnd(span);
  request.onHeaders = function (this: unknown, statusCode, headers, ...rest) {
    safely(() => (sample.encoding = rawHeaderValue(headers, 'content-encoding')));
    return onHeaders.call(this, statusCode, headers, ...rest);
  };
  request.onData = function (this: unknown, chunk) {
    try {
      sample.observe(chunk);
    } catch {
      // as in safely(), without a closure per chunk
    }
    return onData.call(this, chunk);
  };
}

/** When an outbound http response arrives (http-client-spans.ts): observes what the parser pushes, leaving flowing mode to the app. */
export function captureHttpUsage(runtime: ActivityRuntime, span: object, response: IncomingMessage): void {
  if (!runtime.config.captureLlmUsage) return;
  // The span's url.full: the response's `req` is not linked yet when the response channel fires.
  const url = (span as { attributes?: Attributes }).attributes?.[ATTR_URL_FULL] ?? (response as { req?: { path?: unknown } }).req?.path;
  if (typeof url !== 'string' || !isLlmEndpointPath(url)) return;
  const sample = observer(span);
  deferRowEnd(span);
  const encoding = response.headers['content-encoding'];
  sample.encoding = typeof encoding === 'string' ? encoding.trim().toLowerCase() : '';
  const push = response.push;
  response.push = function (this: IncomingMessage, chunk: unknown, ...rest: unknown[]) {
    if (chunk instanceof Uint8Array) {
      try {
        sample.observe(chunk);
      } catch {
        // as in safely(), without a closure per chunk
      }
    }
    return push.call(this, chunk, ...(rest as [BufferEncoding?]));
  };
}

/** An HTTP span that is its own row (not folded into a call) stays open for a recordUsage() right after it. */
function deferRowEnd(span: object): void {
  if ((span as { attributes?: Attributes }).attributes?.[ATTR_ACTIVITY_KIND] === 'external') deferEnd(span as Span);
}

/** At span end: the usage attributes read from its response, if it was observed and carried usage. */
export function takeResponseUsage(runtime: ActivityRuntime, span: object): Attributes | undefined {
  const sample = samples.get(span);
  if (sample === undefined) return undefined;
  samples.delete(span);
  let attributes: Attributes | undefined;
  safely(() => {
    const text = sample.text();
    const usage = text === undefined ? undefined : usageFromResponseText(text.head, text.tail, text.whole);
    if (usage === undefined) return;
    // A cost the provider reports (OpenRouter) is what it billed: it wins over the price table.
    attributes =
      usage.reportedCostUsd !== undefined
        ? usageAttributes(usage, usage.model, Math.round(usage.reportedCostUsd * 1e9) / 1e9, 'response', 'reported')
        : usageAttributes(usage, usage.model, priceUsage(runtime.priceOf, usage.model, usage), 'response');
  });
  return attributes;
}

/** undici's raw headers: [name, value, name, value…] as Buffers (or strings), names in any case. */
function rawHeaderValue(headers: unknown, name: string): string {
  if (!Array.isArray(headers)) return '';
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (String(headers[i]).length === name.length && String(headers[i]).toLowerCase() === name) return String(headers[i + 1]).trim().toLowerCase();
  }
  return '';
}

/** Usage read under a trackExternalCall goes to it, unless the app already recorded its own there (that wins). */
export function foldResponseUsage(call: { attributes: Attributes; setAttributes(a: Attributes): unknown }, usage: Attributes): void {
  if (call.attributes[ATTR_ACTIVITY_USAGE_SOURCE] === 'app') return;
  call.setAttributes(usage);
}
