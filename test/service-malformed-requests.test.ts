/**
 * The ingest service answers bad requests per the OTLP/HTTP spec and stays up: malformed and truncated protobuf,
 * wrong-type JSON, gzip bombs, oversized bodies (declared or chunked), unknown content types, missing ingest token.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import { loadConfig } from '../exporter/config';

const TOKEN = 'ingest-secret-123';
const MAX_BODY = 256 * 1024;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-svc-bad-'));
let service: OtlpService;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One raw POST; `chunked` sends without Content-Length. */
function post(pathname: string, body: Buffer | string, headers: Record<string, string>, options: { chunked?: boolean; method?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const all = { authorization: `Bearer ${TOKEN}`, ...headers, ...(options.chunked ? {} : { 'content-length': String(data.length) }) };
    const request = http.request(`${service.url}${pathname}`, { method: options.method ?? 'POST', headers: all, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    // The server may answer 413 and close before the whole upload is written: that is the point.
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (options.chunked) {
      for (let i = 0; i < data.length; i += 64 * 1024) request.write(data.subarray(i, i + 64 * 1024));
      request.end();
    } else request.end(data);
  });
}

const json = { 'content-type': 'application/json' };
const proto = { 'content-type': 'application/x-protobuf' };

function jsonStatus(answer: Answer): { code: number; message: string } {
  return JSON.parse(answer.body.toString('utf8')) as { code: number; message: string };
}

const statusType = protobuf.Root.fromJSON({
  nested: { Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } } },
}).lookupType('Status');

function spans(n: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bad-requests' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('t');
  for (let i = 0; i < n; i++) {
    tracer.startSpan(`GET /items/:id`, { kind: SpanKind.SERVER, attributes: { 'activity.kind': 'access', 'http.request.method': 'GET', 'url.path': `/items/${i}`, 'http.response.status_code': 200 } }).end();
  }
  return memory.getFinishedSpans();
}

beforeAll(async () => {
  const config = loadConfig({
    env: {},
    overrides: { exporter: { dataDir: path.join(root, 'data'), flushIntervalMs: 50 }, service: { port: 0, ingestToken: TOKEN, maxBodyBytes: MAX_BODY } },
  });
  service = await startOtlpService({ config });
});

afterAll(async () => {
  await service?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('bad OTLP requests', () => {
  it('answers garbage protobuf with 400 and a google.rpc.Status in protobuf naming the problem', async () => {
    const answer = await post('/v1/traces', 'this is not protobuf at all', proto);
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/x-protobuf');
    const status = statusType.toObject(statusType.decode(answer.body)) as { code: number; message: string };
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^malformed protobuf ExportTraceServiceRequest: /);
  });

  it('answers a truncated protobuf request with 400', async () => {
    const full = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans(3))!);
    const answer = await post('/v1/traces', full.subarray(0, Math.floor(full.length / 2)), proto);
    expect(answer.status).toBe(400);
    expect(statusType.toObject(statusType.decode(answer.body)).message).toMatch(/^malformed protobuf ExportTraceServiceRequest: .*(index out of range|invalid wire type)/);
  });

  it('answers JSON that does not parse with 400 and a JSON Status', async () => {
    const answer = await post('/v1/traces', '{"resourceSpans": [', json);
    expect(answer.status).toBe(400);
    expect(jsonStatus(answer)).toEqual({ code: 3, message: expect.stringMatching(/^malformed JSON: /) });
  });

  it('answers JSON of the wrong shape with 400 naming the field', async () => {
    expect(jsonStatus(await post('/v1/traces', '{"resourceSpans": "nope"}', json))).toEqual({
      code: 3,
      message: 'not an ExportTraceServiceRequest: resourceSpans must be an array, got the string "nope"',
    });
    const array = await post('/v1/traces', '[1, 2]', json);
    expect(array.status).toBe(400);
    expect(jsonStatus(array).message).toBe('not an ExportTraceServiceRequest: expected an ExportTraceServiceRequest object, got an array');
  });

  it('rejects only the spans of the wrong type: 200 with partial_success naming each', async () => {
    const good = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans(2))!).toString('utf8')) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }>;
    };
    const list = good.resourceSpans[0]!.scopeSpans[0]!.spans;
    list.push({ ...list[0], traceId: 5 }, { ...list[0], spanId: 'b7ad6b7169203331', startTimeUnixNano: '-1' });
    const answer = await post('/v1/traces', JSON.stringify(good), json);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({
      partialSuccess: {
        rejectedSpans: '2',
        errorMessage:
          'resourceSpans[0].scopeSpans[0].spans[2]: traceId has the wrong type: got number 5; ' +
          'resourceSpans[0].scopeSpans[0].spans[3]: startTimeUnixNano must be a non-negative integer of nanoseconds, got "-1"',
      },
    });
  });

  it('answers a gzip bomb with 413 without inflating it all', async () => {
    // 64 MiB of zeros, ~64 KiB compressed: well under the limit on the wire, 256× over it inflated.
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const answer = await post('/v1/traces', bomb, { ...json, 'content-encoding': 'gzip' });
    expect(answer.status).toBe(413);
    expect(jsonStatus(answer).message).toBe(`decompressed request body is over the limit of ${MAX_BODY} bytes (maxBodyBytes)`);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(process.memoryUsage().rss - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('answers invalid gzip data with 400', async () => {
    const answer = await post('/v1/traces', 'not gzip', { ...json, 'content-encoding': 'gzip' });
    expect(answer.status).toBe(400);
    expect(jsonStatus(answer).message).toMatch(/^could not read the decompressed request body: invalid gzip data/);
  });

  it('answers an oversized body with 413, whether its length is declared or it is chunked', async () => {
    const big = Buffer.alloc(MAX_BODY + 1, 0x20);
    const declared = await post('/v1/traces', big, json);
    expect(declared.status).toBe(413);
    expect(jsonStatus(declared).message).toBe(`request body of ${MAX_BODY + 1} bytes is over the limit of ${MAX_BODY} bytes (maxBodyBytes)`);
    const chunked = await post('/v1/traces', Buffer.alloc(4 * MAX_BODY, 0x20), json, { chunked: true });
    expect(chunked.status).toBe(413);
    expect(jsonStatus(chunked).message).toBe(`request body is over the limit of ${MAX_BODY} bytes (maxBodyBytes)`);
  });

  it('answers an unknown content type or encoding with 415, and GET with 405', async () => {
    const text = await post('/v1/traces', 'hello', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(jsonStatus(text).message).toBe('unsupported Content-Type "text/plain": send application/x-protobuf or application/json');
    const brotli = await post('/v1/traces', 'x', { ...json, 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    expect(jsonStatus(brotli).message).toBe('unsupported Content-Encoding "br": send gzip or no encoding');
    expect((await post('/v1/traces', '', json, { method: 'GET' })).status).toBe(405);
  });

  it('requires the ingest token when one is configured', async () => {
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans(1))!);
    const none = await post('/v1/traces', body, { ...proto, authorization: '' });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await post('/v1/traces', body, { ...proto, authorization: 'Bearer ingest-secret-12' })).status).toBe(401);
    expect((await post('/v1/traces', body, { ...proto, authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('stays up after all of it: healthy, and a good gzip protobuf request is stored', async () => {
    const health = await fetch(`${service.url}/healthz`);
    expect(health.status).toBe(200);
    const body = zlib.gzipSync(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans(5))!));
    const answer = await post('/v1/traces', body, { ...proto, 'content-encoding': 'gzip' });
    expect(answer.status).toBe(200);
    expect(answer.body.length).toBe(0);
    await service.exporter.forceFlush();
    // 2 good spans of the partial request, 1 of the token test, 5 now.
    const [row] = await service.exporter.sink.query<{ n: number }>('SELECT count() AS n FROM access_log');
    expect(row!.n).toBe(8);
    expect(service.metrics().responses).toEqual({ '200': 3, '400': 6, '401': 2, '405': 1, '413': 3, '415': 2 });
  });
});
