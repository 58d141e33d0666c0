/**
 * A capturing OTLP/HTTP receiver (protobuf and JSON) on 127.0.0.1 port 0: what an app under `--require otel-activity/register`
 * really sends over the wire (every attribute, resource and header), for privacy and shutdown-flush tests.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { otlpProtoCodec } from '../../exporter/service/otlp-proto';

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  /** Epoch nanoseconds as decimal text (OTLP's uint64), so order compares exactly: BigInt(endTimeUnixNano). */
  readonly endTimeUnixNano: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly resource: Record<string, unknown>;
  readonly events: ReadonlyArray<{ name: string; attributes: Record<string, unknown> }>;
}

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** Raw request bodies (decompressed) and headers, to grep for anything that should never leave the app. */
  readonly raw: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }>;
  close(): Promise<void>;
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

function valueOf(v: OtlpAnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(valueOf);
  return undefined;
}

type ParsedRequest = {
  resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>;
};

/** OTLP/JSON as sent, or protobuf decoded with the official protos into the same shape (ids turned to hex). */
function parseBody(contentType: string, body: Buffer): ParsedRequest {
  if (!contentType.includes('protobuf')) return JSON.parse(body.toString('utf8')) as ParsedRequest;
  const parsed = (otlpProtoCodec().decodeRequest(body) as { toJSON(): ParsedRequest }).toJSON();
  for (const rs of parsed.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        for (const key of ['traceId', 'spanId', 'parentSpanId']) {
          if (typeof span[key] === 'string') span[key] = Buffer.from(span[key], 'base64').toString('hex');
        }
      }
    }
  }
  return parsed;
}

function attrs(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, valueOf(kv.value)]));
}

/** `port` 0 picks a free one; a fixed port brings a receiver back where an app was sending (outage tests). */
export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const raw: OtlpReceiver['raw'] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const text = body.toString('utf8');
      raw.push({ path: request.url ?? '', headers: request.headers, body: text });
      try {
        const contentType = request.headers['content-type'] ?? '';
        const parsed = parseBody(contentType, body);
        for (const rs of parsed.resourceSpans ?? []) {
          const resource = attrs(rs.resource?.attributes);
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                traceId: s.traceId as string,
                spanId: s.spanId as string,
                parentSpanId: typeof s.parentSpanId === 'string' ? s.parentSpanId : '',
                endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
                name: s.name as string,
                attributes: attrs(s.attributes as OtlpKeyValue[]),
                resource,
                events: ((s.events as Array<{ name: string; attributes?: OtlpKeyValue[] }>) ?? []).map((e) => ({ name: e.name, attributes: attrs(e.attributes) })),
              });
            }
          }
        }
        // An empty body is a valid, empty ExportTraceServiceResponse in either encoding.
        response.writeHead(200, { 'content-type': contentType.includes('protobuf') ? 'application/x-protobuf' : 'application/json' }).end(contentType.includes('protobuf') ? '' : '{}');
      } catch {
        response.writeHead(400).end('not OTLP');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    spans,
    raw,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
