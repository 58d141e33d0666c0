/**
 * Usage read from LLM API responses with no code: for calls to known LLM endpoints, the bytes the app receives
 * are observed as they pass (never buffered or delayed: undici's Request.onData, IncomingMessage.push), a bounded
 * head and tail are kept, and at span end only model and token counts are read from them. The span ends on the
 * next turn of the loop, so a recordUsage() right after the awaited call replaces these counts instead of adding a row.
 */
import type { Attributes, Span } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import * as zlib from 'node:zlib';
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
 * generateContent and streamGenerateContent. Matched on the path's end, on any host, so local proxies count.
 */
const LLM_PATH_RE = /(?:\/chat\/completions|\/v\d[^/]*\/completions|\/responses|\/embeddings|\/v\d[^/]*\/messages|:generateContent|:streamGenerateContent)$/;

export function isLlmEndpointPath(pathAndQuery: string): boolean {
  const q = pathAndQuery.indexOf('?');
  return LLM_PATH_RE.test(q === -1 ? pathAndQuery : pathAndQuery.slice(0, q));
}

class BodySample {
  private head: Buffer | undefined;
  private headLength = 0;
  private tail: Buffer | undefined;
  private tailEnd = 0;
  private tailFilled = 0;
  private total = 0;
  private encoded: Buffer[] | undefined;
  private encodedTooLarge = false;
  encoding = '';

  observe(chunk: Uint8Array): void {
    const length = chunk.byteLength;
    if (length === 0) return;
    this.total += length;
    if (this.encoding !== '') {
      if (this.encodedTooLarge || this.total > MAX_ENCODED_BYTES) {
        this.encodedTooLarge = true;
        this.encoded = undefined;
      } else (this.encoded ??= []).push(Buffer.from(chunk));
      return;
    }
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, length);
    if (this.headLength < HEAD_BYTES) {
      this.head ??= Buffer.allocUnsafe(HEAD_BYTES);
      this.headLength += bytes.copy(this.head, this.headLength, 0, Math.min(length, HEAD_BYTES - this.headLength));
    }
    if (this.total <= HEAD_BYTES) return; // the head holds it all so far
    const tail = (this.tail ??= Buffer.allocUnsafe(TAIL_BYTES));
    const from = length > TAIL_BYTES ? length - TAIL_BYTES : 0;
    let copied = bytes.copy(tail, this.tailEnd, from);
    if (copied < length - from) copied += bytes.copy(tail, 0, from + copied);
    this.tailEnd = (this.tailEnd + copied) % TAIL_BYTES;
    this.tailFilled = Math.min(TAIL_BYTES, this.tailFilled + copied);
  }

  /** The sampled text: head, tail, and whether the head is the whole body. */
  text(): { head: string; tail: string; whole: boolean } | undefined {
    if (this.encoding !== '') return this.decodedText();
    if (this.head === undefined) return undefined;
    const head = this.head.toString('utf8', 0, this.headLength);
    if (this.total <= HEAD_BYTES) return { head, tail: head, whole: true };
    return { head, tail: this.tailText(), whole: false };
  }

  private tailText(): string {
    const tail = this.tail as Buffer;
    if (this.tailFilled < TAIL_BYTES) return tail.toString('utf8', 0, this.tailFilled);
    return Buffer.concat([tail.subarray(this.tailEnd), tail.subarray(0, this.tailEnd)]).toString('utf8');
  }

  private decodedText(): { head: string; tail: string; whole: boolean } | undefined {
    if (this.encoded === undefined || this.encodedTooLarge) return undefined;
    const body = Buffer.concat(this.encoded);
    // SYNC_FLUSH: a stream cut short still inflates up to where it stopped.
    const options = { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: MAX_DECODED_BYTES };
    let decoded: Buffer;
    if (this.encoding === 'gzip' || this.encoding === 'x-gzip') decoded = zlib.gunzipSync(body, options);
    else if (this.encoding === 'deflate') decoded = zlib.inflateSync(body, options);
    else if (this.encoding === 'br') {
      decoded = zlib.brotliDecompressSync(body, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH, maxOutputLength: MAX_DECODED_BYTES });
    } else return undefined;
    const head = decoded.toString('utf8', 0, Math.min(decoded.length, HEAD_BYTES));
    if (decoded.length <= HEAD_BYTES) return { head, tail: head, whole: true };
    return { head, tail: decoded.toString('utf8', Math.max(HEAD_BYTES, decoded.length - TAIL_BYTES)), whole: false };
  }
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
    safely(() => sample.observe(chunk));
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
    if (chunk instanceof Uint8Array) safely(() => sample.observe(chunk));
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
    attributes = usageAttributes(usage, usage.model, priceUsage(runtime.priceOf, usage.model, usage), 'response');
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
