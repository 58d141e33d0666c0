/**
 * Realistic OTLP trace payloads for the ingest benches: access spans mostly, with auth and external (LLM) calls
 * mixed in, as the SDK sets them; ids derived from (run, sequence) so every accepted span can be looked up later.
 * Built and encoded by hand-made-span.ts.
 */
import { SpanKind, type Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { handMadeSpan, hex, spanIdFor } from './hand-made-span';

const RESOURCE = resourceFromAttributes({
  'service.name': 'bench-shop',
  'service.version': '1.4.2',
  'deployment.environment.name': 'production',
  'host.name': 'bench-host-1',
});
const ROUTES = ['/api/products/:id', '/api/cart', '/api/orders/:id', '/api/search', '/api/users/:id/profile', '/'];
const UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';

function traceIdFor(run: number, seq: number): string {
  return `be9c${hex(run & 0xffff, 4)}${'0'.repeat(12)}${hex(seq + 1, 12)}`;
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
    spans.push(
      handMadeSpan({
        name,
        kind,
        traceId: traceIdFor(run, seq),
        spanId: spanIdFor(run, seq),
        startMs,
        durationMs: 3 + (seq % 97) / 3,
        attributes,
        resource: RESOURCE,
        scope: { name: 'otel-activity', version: '0.1.0' },
      }),
    );
  }
  return spans;
}
