/**
 * Realistic OTLP trace payloads for the ingest benches: access spans mostly, with auth and external (LLM) calls
 * mixed in, as the SDK sets them; ids derived from (run, sequence) so every accepted span can be looked up later.
 * Encoded by @opentelemetry/otlp-transformer, so the bytes are exactly what the official exporters send.
 */
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

export type Encoding = 'protobuf' | 'json';

const RESOURCE = resourceFromAttributes({
  'service.name': 'bench-shop',
  'service.version': '1.4.2',
  'deployment.environment.name': 'production',
  'host.name': 'bench-host-1',
});
const ROUTES = ['/api/products/:id', '/api/cart', '/api/orders/:id', '/api/search', '/api/users/:id/profile', '/'];
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0').slice(-width);
}

/** `<run 4 hex><seq 12 hex>`: unique per run and sequence, never zero. */
export function spanIdFor(run: number, seq: number): string {
  return hex((run & 0xffff) || 1, 4) + hex(seq + 1, 12);
}

function traceIdFor(run: number, seq: number): string {
  return `be9c${hex(run & 0xffff, 4)}${'0'.repeat(12)}${hex(seq + 1, 12)}`;
}

function hrTime(ms: number): HrTime {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
}

function attributesFor(seq: number): { kind: SpanKind; name: string; attributes: Attributes } {
  const user = `user-${seq % 997}`;
  const session = `sess-${Math.floor(seq / 20) % 5003}`;
  if (seq % 33 === 7) {
    return {
      kind: SpanKind.INTERNAL,
      name: 'auth login',
      attributes: {
        'activity.kind': 'auth',
        'activity.auth.event': seq % 4 === 0 ? 'login_failed' : 'login',
        'activity.auth.success': seq % 4 !== 0,
        'activity.auth.method': 'password',
        'client.address': '198.51.100.0',
        'user_agent.original': UA,
        'user.id': user,
        'session.id': session,
      },
    };
  }
  if (seq % 14 === 3) {
    return {
      kind: SpanKind.CLIENT,
      name: 'POST',
      attributes: {
        'activity.kind': 'external',
        'activity.external.service': 'openai',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 200 + (seq % 300),
        'gen_ai.usage.output_tokens': 40 + (seq % 90),
        'http.request.method': 'POST',
        'server.address': 'api.openai.com',
        'url.full': 'https://api.openai.com/v1/chat/completions',
        'http.response.status_code': 200,
        'user.id': user,
        'session.id': session,
      },
    };
  }
  const route = ROUTES[seq % ROUTES.length];
  return {
    kind: SpanKind.SERVER,
    name: `GET ${route}`,
    attributes: {
      'activity.kind': 'access',
      'http.request.method': 'GET',
      'http.route': route,
      'url.path': route.replace(':id', String(seq % 5000)),
      'url.query': 'page=2&sort=price',
      'http.response.status_code': seq % 50 === 0 ? 500 : 200,
      'http.response.body.size': 1200 + (seq % 9000),
      'client.address': `203.0.${seq % 200}.0`,
      'user_agent.original': UA,
      'activity.user_agent.browser': 'Chrome',
      'activity.user_agent.os': 'Mac OS',
      'activity.user_agent.device_type': 'desktop',
      'user.id': user,
      'session.id': session,
    },
  };
}

/** `count` spans with sequence numbers first … first+count-1, ending around `nowMs`. */
export function makeSpans(run: number, first: number, count: number, nowMs = Date.now()): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  for (let seq = first; seq < first + count; seq++) {
    const { kind, name, attributes } = attributesFor(seq);
    const startMs = nowMs - 60_000 + (seq % 60_000);
    const durationMs = 3 + (seq % 97) / 3;
    spans.push({
      name,
      kind,
      spanContext: () => ({ traceId: traceIdFor(run, seq), spanId: spanIdFor(run, seq), traceFlags: TraceFlags.SAMPLED }),
      parentSpanContext: undefined,
      startTime: hrTime(startMs),
      endTime: hrTime(startMs + durationMs),
      status: { code: attributes['http.response.status_code'] === 500 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET },
      attributes,
      links: [],
      events: [],
      duration: hrTime(durationMs),
      ended: true,
      resource: RESOURCE,
      instrumentationScope: { name: 'otel-activity', version: '0.1.0' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
  }
  return spans;
}

export function encodeSpans(spans: ReadableSpan[], encoding: Encoding): Uint8Array {
  const bytes = encoding === 'json' ? JsonTraceSerializer.serializeRequest(spans) : ProtobufTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new Error(`serializing ${spans.length} spans as ${encoding} failed`);
  return bytes;
}

export const CONTENT_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };
