/**
 * POST /v1/traces: decodes an OTLP/HTTP request (protobuf or JSON, gzip or not), converts it to ActivitySpans and
 * offers them to the pipeline all at once. 200 only once the rows are durable (inserted, or fsync'd to the spool, or
 * with service.ackAfter 'journal' to the journal), so a crash never loses an acknowledged span; an overloaded service
 * (event loop late, memory high), a full queue, or more requests being decoded or waiting for their commit than
 * maxConcurrentRequests, answers 429 with Retry-After so the sender retries later.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DurableAcceptResult } from '../activity-pipeline-types';
import type { ActivitySpan } from 'otel-activity/contract';
import { OtlpPayloadError, otlpToActivitySpans, type OtlpConversion, type SpanRejection } from '../normalize/from-otlp';
import { otlpProtobufToActivitySpans } from '../normalize/from-otlp-protobuf';
import { bearerTokenMatches } from './bearer-token';
import type { BodyBudget } from './body-budget';
import type { IngestHealth } from './ingest-health';
import { otlpProtoCodec } from './otlp-proto';
import { encodingOf, sendExportResponse, sendStatus, type OtlpEncoding } from './otlp-responses';
import { BodyError, readBody } from './read-body';
import type { ServiceCounters } from './service-metrics';

export interface TraceIngestOptions {
  /** Resolves once the rows are durable (ActivityPipeline.acceptActivitySpansDurably). */
  readonly accept: (spans: ReadonlyArray<ActivitySpan>) => Promise<DurableAcceptResult | 'full'>;
  /** Required bearer token; '' means none. */
  readonly ingestToken: string;
  readonly maxBodyBytes: number;
  /** Shared by all requests: bytes of bodies being read, inflated and decoded. */
  readonly bodyBudget: BodyBudget;
  readonly retryAfterSeconds: number;
  /** Requests past the early checks and not yet answered, shared by all requests; `max` of them at once. */
  readonly concurrency: { active: number; readonly max: number };
  readonly counters: ServiceCounters;
  /** True once shutdown began: new data is refused with 503 so the sender keeps it. */
  readonly stopping: () => boolean;
  /** Why the service sheds load now (event loop late, memory high), or undefined (overload-guard.ts). */
  readonly overloaded: () => string | undefined;
  /** Told every durable outcome, for /healthz. */
  readonly health: IngestHealth;
  /** What keeps rows from being durable now, for the 503 answer and /healthz. */
  readonly commitFailureCause: () => string;
  /**
   * Another body format on the same durable path (POST /v1/activities: JSON activities, see
   * normalize/from-activity-json.ts): its path for messages, and its conversion of the parsed JSON body. JSON only.
   */
  readonly format?: { readonly path: string; readonly convert: (json: unknown) => { spans: ActivitySpan[]; rejected: SpanRejection[] } };
}

/** How many rejection reasons go into partial_success.error_message. */
const MAX_REASONS = 5;

export async function handleTraceIngest(request: IncomingMessage, response: ServerResponse, options: TraceIngestOptions): Promise<void> {
  const encoding = encodingOf(request.headers['content-type']);
  const answer = (status: number, message: string, headers?: Record<string, string>) => {
    count(options.counters, status);
    sendStatus(response, encoding ?? 'json', status, message, headers);
  };
  const path = options.format?.path ?? '/v1/traces';
  // A page posting JSON with a token first sends a CORS preflight. No page should hold an ingest token (whoever opens
  // it can read it), so the preflight is refused in words the browser's network panel shows, instead of a 405 that
  // the page only sees as a failed fetch; no Access-Control-Allow-* header is ever sent.
  if (request.method === 'OPTIONS' && request.headers.origin !== undefined) return answer(403, browserRefusal(path), { allow: 'POST', vary: 'Origin' });
  if (request.method !== 'POST') return answer(405, `${request.method} is not allowed on ${path}: use POST`, { allow: 'POST' });
  if (!encoding || (options.format !== undefined && encoding !== 'json')) {
    const allowed = options.format === undefined ? 'application/x-protobuf or application/json' : 'application/json';
    return answer(415, `unsupported Content-Type "${request.headers['content-type'] ?? ''}": send ${allowed}`);
  }
  if (options.ingestToken !== '' && !bearerTokenMatches(request, options.ingestToken)) {
    return answer(401, 'missing or wrong ingest token: send "Authorization: Bearer <OTEL_ACTIVITY_INGEST_TOKEN>"', { 'www-authenticate': 'Bearer' });
  }
  if (options.stopping()) return refuse(response, encoding, options, 503, 'the service is shutting down; retry later');
  // Before the body is read: a refused request costs a header parse, and Node discards its body unread.
  const overloaded = options.overloaded();
  if (overloaded !== undefined) {
    options.counters.requestsShed++;
    return refuse(response, encoding, options, 429, `${overloaded}; retry after the Retry-After delay`);
  }

  const { concurrency } = options;
  const busy = `${concurrency.max} requests are in progress (OTEL_ACTIVITY_MAX_CONCURRENT_REQUESTS); retry after the Retry-After delay`;
  if (concurrency.active >= concurrency.max) return refuse(response, encoding, options, 429, busy);
  // The declared length is held before a byte is read; gzip's inflated bytes are added as they come.
  const declared = Number(request.headers['content-length']);
  const lease = options.bodyBudget.lease(Number.isFinite(declared) && declared > 0 ? Math.min(declared, options.maxBodyBytes) : 0);
  if (!lease) {
    options.counters.requestsShed++;
    return refuse(response, encoding, options, 429, `${budgetText(options.bodyBudget)}; retry after the Retry-After delay`);
  }
  try {
    let body: Buffer | undefined;
    try {
      body = await readBody(request, options.maxBodyBytes, lease);
    } catch (error) {
      if (!(error instanceof BodyError)) throw error;
      // The rest of an oversized body is not read; closing the connection is cheaper than draining it.
      response.setHeader('connection', 'close');
      if (error.status === 429) {
        options.counters.requestsShed++;
        return refuse(response, encoding, options, 429, `${budgetText(options.bodyBudget)}; retry after the Retry-After delay`);
      }
      return answer(error.status, error.message);
    }
    // Slots are taken from here, not while the body arrives: a stalled sender holds no slot (only the bytes it sent).
    if (concurrency.active >= concurrency.max) return refuse(response, encoding, options, 429, busy);
    concurrency.active++;
    try {
      // ingest() decodes before its first await; the bytes are garbage from then on, not held until the commit.
      const answered = ingest(body, response, encoding, options, answer);
      body = undefined;
      await answered;
    } finally {
      concurrency.active--;
    }
  } finally {
    // Held until answered: the decoded request is as large as its body, and lives as long.
    lease.release();
  }
}

/** The answer to a browser's CORS preflight on an ingest path. */
export function browserRefusal(path: string): string {
  return (
    `${path} does not accept requests from web pages (no CORS): an ingest token in a page can be read by anyone who opens it. ` +
    'Post from your backend, which holds the token (OTEL_ACTIVITY_INGEST_TOKEN)'
  );
}

function budgetText(budget: BodyBudget): string {
  return `the service holds ${mib(budget.usedBytes)} MiB of request bodies being read and decoded (limit OTEL_ACTIVITY_BODY_BUDGET_BYTES=${mib(budget.maxBytes)} MiB)`;
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}

type Answer = (status: number, message: string, headers?: Record<string, string>) => void;

/** Decode, convert, wait until durable, answer. */
async function ingest(body: Buffer, response: ServerResponse, encoding: OtlpEncoding, options: TraceIngestOptions, answer: Answer): Promise<void> {
  // An OTLP protobuf body is read straight into spans (no decoded message: most of the CPU a request used to cost).
  const direct = encoding === 'protobuf' && options.format === undefined;
  let decoded: unknown;
  let conversion: OtlpConversion | undefined;
  try {
    if (direct) conversion = otlpProtobufToActivitySpans(body);
    else decoded = encoding === 'protobuf' ? otlpProtoCodec().decodeRequest(body) : JSON.parse(body.toString('utf8'));
  } catch (error) {
    const what = encoding === 'protobuf' ? 'malformed protobuf ExportTraceServiceRequest' : 'malformed JSON';
    return answer(400, `${what}: ${(error as Error).message}`);
  }

  let spans: ActivitySpan[];
  let rejected: SpanRejection[];
  const what = options.format === undefined ? 'an ExportTraceServiceRequest' : 'an activity or an array of activities';
  try {
    ({ spans, rejected } = conversion ?? (options.format === undefined ? otlpToActivitySpans(decoded) : options.format.convert(decoded)));
  } catch (error) {
    // A structure deeper than the stack is the sender's doing too: 400, never 500.
    if (error instanceof RangeError && /call stack/i.test(error.message)) return answer(400, `not ${what}: nested too deeply`);
    if (!(error instanceof OtlpPayloadError)) throw error;
    return answer(400, `not ${what}: ${error.message}`);
  }
  // Nothing valid at all is a bad request, said with its reasons; valid items beside bad ones are stored.
  if (spans.length === 0 && rejected.length > 0) {
    return answer(400, rejected.slice(0, MAX_REASONS).map((r) => `${r.where}: ${r.reason}`).join('; '));
  }

  // Not awaited in this frame: it would keep the body, the decoded message and the spans alive until the commit.
  return answerWhenDurable(options.accept(spans), spans.length, rejected, response, encoding, options);
}

async function answerWhenDurable(
  accepted: Promise<DurableAcceptResult | 'full'>,
  spanCount: number,
  rejected: SpanRejection[],
  response: ServerResponse,
  encoding: OtlpEncoding,
  options: TraceIngestOptions,
): Promise<void> {
  const result = await accepted;
  if (result === 'full') return refuse(response, encoding, options, 429, 'the export queue is full; retry after the Retry-After delay');
  if (!result.durable) {
    // Some rows were dropped (spool full or unusable, rows refused): the sender keeps the data and tries again.
    const cause = options.commitFailureCause();
    options.health.failed(cause);
    return refuse(response, encoding, options, 503, `the spans could not all be stored durably (${cause}); retry later`);
  }
  options.health.succeeded();
  options.counters.spansReceived += spanCount + rejected.length;
  options.counters.spansRejected += rejected.length;
  const rejectedSpans = rejected.length + result.rejected;
  const reasons = rejected.slice(0, MAX_REASONS).map((r) => `${r.where}: ${r.reason}`);
  if (result.rejected > 0) reasons.push(`${result.rejected} span(s) could not be mapped to rows`);
  if (rejected.length > MAX_REASONS) reasons.push(`… and ${rejected.length - MAX_REASONS} more`);
  count(options.counters, 200);
  sendExportResponse(response, encoding, rejectedSpans, reasons.join('; '));
}

function refuse(response: ServerResponse, encoding: OtlpEncoding, options: TraceIngestOptions, status: 429 | 503, message: string): void {
  options.counters.requestsRefused++;
  count(options.counters, status);
  sendStatus(response, encoding, status, message, { 'retry-after': String(options.retryAfterSeconds) });
}

function count(counters: ServiceCounters, status: number): void {
  counters.responses[status] = (counters.responses[status] ?? 0) + 1;
}
