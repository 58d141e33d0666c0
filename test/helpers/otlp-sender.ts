/**
 * Builds real OTLP trace payloads (JSON and protobuf, built and encoded by bench/lib/hand-made-span.ts) of
 * access, auth and external activity spans with known unique span ids, and sends them like a well-behaved exporter:
 * retrying 429/502/503/504 and connection errors (honouring Retry-After) and recording which ids got an HTTP 200.
 */
import * as http from 'node:http';
import { gzipSync } from 'node:zlib';
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { CONTENT_TYPE, encodeSpans, handMadeSpan, hex, spanIdFor, type Encoding } from '../../bench/lib/hand-made-span';

export { encodeSpans, hex, spanIdFor, type Encoding } from '../../bench/lib/hand-made-span';

export type ActivityKindName = 'access' | 'auth' | 'external';

/** mulberry32: a tiny seeded PRNG so every fuzz and load run can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function traceIdFor(run: number, seq: number): string {
  return 'a11c' + hex(run & 0xffff, 4) + '0'.repeat(12) + hex(Math.floor(seq / 4) + 1, 12);
}

export interface SpanOptions {
  readonly kind: ActivityKindName;
  readonly spanId: string;
  readonly traceId: string;
  readonly startMs?: number;
  readonly durationMs?: number;
  /** Added over (and replacing) the kind's default attributes. */
  readonly attributes?: Attributes;
  readonly resource?: Resource;
  readonly name?: string;
}

export const DEFAULT_RESOURCE = resourceFromAttributes({
  'service.name': 'reliability-app',
  'deployment.environment.name': 'test',
});

/** Attributes the SDK puts on each kind of activity span (see sdk/activity, sdk/auth, sdk/external). */
export function defaultAttributes(kind: ActivityKindName, seq: number): Attributes {
  const user = `user-${seq % 17}`;
  switch (kind) {
    case 'access':
      return {
        'activity.kind': 'access',
        'http.request.method': 'GET',
        'http.route': '/items/:id',
        'url.path': `/items/${seq}`,
        'http.response.status_code': seq % 13 === 0 ? 500 : 200,
        'client.address': '203.0.113.0',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) reliability',
        'user.id': user,
      };
    case 'auth':
      return {
        'activity.kind': 'auth',
        'activity.auth.event': seq % 3 === 0 ? 'login_failed' : 'login',
        'activity.auth.success': seq % 3 !== 0,
        'activity.auth.method': 'password',
        'client.address': '198.51.100.0',
        'user.id': user,
      };
    case 'external':
      return {
        'activity.kind': 'external',
        'activity.external.service': 'openai',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 100 + (seq % 50),
        'gen_ai.usage.output_tokens': 20 + (seq % 10),
        'http.request.method': 'POST',
        'server.address': 'api.openai.com',
        'url.full': 'https://api.openai.com/v1/chat/completions',
        'http.response.status_code': 200,
        'user.id': user,
      };
  }
}

const SPAN_KIND: Record<ActivityKindName, SpanKind> = { access: SpanKind.SERVER, auth: SpanKind.INTERNAL, external: SpanKind.CLIENT };

/** A ReadableSpan built by hand so its ids are ours (the SDK's tracer would pick random ones). */
export function makeSpan(options: SpanOptions, seq = 0): ReadableSpan {
  return handMadeSpan({
    name: options.name ?? `${options.kind} span ${seq}`,
    kind: SPAN_KIND[options.kind],
    traceId: options.traceId,
    spanId: options.spanId,
    startMs: options.startMs ?? Date.now() - 1000,
    durationMs: options.durationMs ?? 12.5,
    attributes: { ...defaultAttributes(options.kind, seq), ...options.attributes },
    resource: options.resource ?? DEFAULT_RESOURCE,
    scope: { name: 'otel-activity-reliability' },
  });
}

const KINDS: readonly ActivityKindName[] = ['access', 'auth', 'external'];

/** `count` spans cycling access/auth/external, ids `spanIdFor(run, first … first+count-1)`. */
export function makeSpans(run: number, first: number, count: number, kinds: readonly ActivityKindName[] = KINDS): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  for (let seq = first; seq < first + count; seq++) {
    spans.push(makeSpan({ kind: kinds[seq % kinds.length]!, spanId: spanIdFor(run, seq), traceId: traceIdFor(run, seq) }, seq));
  }
  return spans;
}

export function kindOf(span: ReadableSpan): ActivityKindName {
  return span.attributes['activity.kind'] as ActivityKindName;
}

export function contentTypeOf(encoding: Encoding): string {
  return CONTENT_TYPE[encoding];
}

export interface PostResult {
  /** HTTP status, or 0 when the connection failed. */
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  /** Connection error code (ECONNREFUSED, ECONNRESET …) when status is 0. */
  readonly error?: string;
  readonly elapsedMs: number;
}

export interface PostOptions {
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly gzip?: boolean;
  readonly timeoutMs?: number;
  readonly method?: string;
}

/** One raw HTTP request; never throws (a failed connection is status 0). */
export function post(url: string, body: Uint8Array | string, options: PostOptions = {}): Promise<PostResult> {
  const started = Date.now();
  let payload = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const headers: Record<string, string> = { ...options.headers };
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  if (options.gzip) {
    payload = gzipSync(payload);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-length'] = String(payload.length);
  return new Promise((resolve) => {
    const request = http.request(url, { method: options.method ?? 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks), elapsedMs: Date.now() - started }),
      );
      response.on('error', (e: NodeJS.ErrnoException) =>
        resolve({ status: 0, headers: {}, body: Buffer.alloc(0), error: e.code ?? e.message, elapsedMs: Date.now() - started }),
      );
    });
    request.setTimeout(options.timeoutMs ?? 30_000, () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', (e: NodeJS.ErrnoException) =>
      resolve({ status: 0, headers: {}, body: Buffer.alloc(0), error: e.code ?? e.message, elapsedMs: Date.now() - started }),
    );
    request.end(payload);
  });
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

export interface SenderOptions {
  /** Full URL of /v1/traces. */
  readonly url: string | (() => string);
  readonly encoding: Encoding;
  readonly token?: string;
  readonly gzip?: boolean;
  /** Give up on one request after this long (default 60 s). */
  readonly deadlineMs?: number;
  /** Wait between attempts after a connection error (default 50 ms, doubling to 1 s). */
  readonly connectRetryMs?: number;
  readonly requestTimeoutMs?: number;
}

export interface SendOutcome {
  readonly status: number;
  readonly attempts: number;
  readonly body: Buffer;
  readonly error?: string;
}

/** Sends spans the way the OTLP spec asks an exporter to, and remembers which span ids were acknowledged. */
export class OtlpSender {
  /** Span ids of requests answered 200 (rejected spans inside a partial success are still "acknowledged" requests). */
  readonly acknowledged = new Set<string>();
  /** Span ids of requests given up on (non-retryable status or deadline). */
  readonly failed = new Set<string>();
  readonly counts = { requests: 0, attempts: 0, retriesAfter429or503: 0, connectionErrors: 0, partialSuccess: 0, rejectedSpans: 0 };
  readonly statuses = new Map<number, number>();
  private readonly options: SenderOptions;

  constructor(options: SenderOptions) {
    this.options = options;
  }

  async send(spans: ReadableSpan[]): Promise<SendOutcome> {
    const { encoding } = this.options;
    const body = encodeSpans(spans, encoding);
    const ids = spans.map((s) => s.spanContext().spanId);
    const headers: Record<string, string> = {};
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const deadline = Date.now() + (this.options.deadlineMs ?? 60_000);
    let connectWait = this.options.connectRetryMs ?? 50;
    this.counts.requests++;
    let attempts = 0;
    for (;;) {
      attempts++;
      this.counts.attempts++;
      const url = typeof this.options.url === 'function' ? this.options.url() : this.options.url;
      const result = await post(url, body, {
        contentType: contentTypeOf(encoding),
        headers,
        gzip: this.options.gzip,
        timeoutMs: this.options.requestTimeoutMs ?? 30_000,
      });
      this.statuses.set(result.status, (this.statuses.get(result.status) ?? 0) + 1);
      if (result.status === 200) {
        for (const id of ids) this.acknowledged.add(id);
        const rejected = rejectedSpansOf(result.body, encoding);
        if (rejected > 0) {
          this.counts.partialSuccess++;
          this.counts.rejectedSpans += rejected;
        }
        return { status: 200, attempts, body: result.body };
      }
      const retryable = result.status === 0 || RETRYABLE_STATUS.has(result.status);
      if (!retryable || Date.now() > deadline) {
        for (const id of ids) this.failed.add(id);
        return { status: result.status, attempts, body: result.body, error: result.error };
      }
      let waitMs: number;
      if (result.status === 0) {
        this.counts.connectionErrors++;
        waitMs = connectWait;
        connectWait = Math.min(connectWait * 2, 1000);
      } else {
        this.counts.retriesAfter429or503++;
        waitMs = retryAfterMs(result.headers['retry-after']) ?? 200;
      }
      await new Promise((r) => setTimeout(r, Math.min(waitMs, Math.max(0, deadline - Date.now()))));
    }
  }
}

/** Retry-After as seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** partialSuccess.rejectedSpans of an ExportTraceServiceResponse (0 when absent). */
export function rejectedSpansOf(body: Buffer, encoding: Encoding): number {
  if (body.length === 0) return 0;
  try {
    if (encoding === 'json') {
      const parsed = JSON.parse(body.toString('utf8')) as { partialSuccess?: { rejectedSpans?: number | string } };
      return Number(parsed.partialSuccess?.rejectedSpans ?? 0);
    }
    const response = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(body));
    return Number(response.partialSuccess?.rejectedSpans ?? 0);
  } catch {
    return 0;
  }
}
