/**
 * The instrumentations we enable, with our hooks: instrumentation-http for outbound http/https and
 * instrumentation-undici for global fetch (which instrumentation-http does not see). Inbound: inbound-requests.ts.
 */
import type { Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { ClientRequest, IncomingMessage, RequestOptions, ServerResponse } from 'node:http';
import { ATTR_HTTP_REQUEST_BODY_SIZE, ATTR_HTTP_RESPONSE_BODY_SIZE } from '../attributes';
import { captureHttpUsage, captureUndiciUsage } from '../external/response-usage-capture';
import { headerNumber } from '../request/raw-header';
import { HonoRouteInstrumentation } from '../request/hono-route-instrumentation';
import { KoaRouteInstrumentation } from '../request/koa-route-instrumentation';
import type { ActivityRuntime } from '../runtime/activity-runtime';

export interface InstrumentationOptions {
  /** Outbound requests to this origin (our own OTLP endpoint) are never traced. */
  readonly ignoreOrigins?: readonly string[];
}

function hostKey(hostname: string | null | undefined, port: string | number | null | undefined): string {
  return `${hostname ?? ''}:${port ?? ''}`;
}

function createHttpInstrumentation(runtime: ActivityRuntime, options: InstrumentationOptions): HttpInstrumentation {
  const ignored = new Set(
    (options.ignoreOrigins ?? []).flatMap((origin) => {
      try {
        const url = new URL(origin);
        return [hostKey(url.hostname, url.port || (url.protocol === 'https:' ? 443 : 80))];
      } catch {
        return [];
      }
    }),
  );
  return new HttpInstrumentation({
    // Inbound requests are traced by inbound-requests.ts (cheaper); this instruments outbound http/https only.
    disableIncomingRequestInstrumentation: true,
    ignoreOutgoingRequestHook: (request: RequestOptions) =>
      ignored.size > 0 && ignored.has(hostKey(request.hostname ?? request.host, request.port ?? (request.protocol === 'https:' ? 443 : 80))),
    requestHook: (span: Span, request: ClientRequest | IncomingMessage) => {
      if ('headers' in request) return; // server side: not enabled
      const size = headerNumber(request.getHeader('content-length'));
      if (size !== undefined) span.setAttribute(ATTR_HTTP_REQUEST_BODY_SIZE, size);
    },
    responseHook: (span: Span, response: IncomingMessage | ServerResponse) => {
      if ('setHeader' in response) return;
      const size = headerNumber(response.headers['content-length']);
      if (size !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_BODY_SIZE, size);
      captureHttpUsage(runtime, span, response);
    },
    redactedQueryParams: [...runtime.config.redactQueryParams],
  });
}

function createUndiciInstrumentation(runtime: ActivityRuntime): UndiciInstrumentation {
  return new UndiciInstrumentation({
    requestHook: (span, request) => {
      if (typeof request.contentLength === 'number' && request.contentLength >= 0) {
        span.setAttribute(ATTR_HTTP_REQUEST_BODY_SIZE, request.contentLength);
      }
      captureUndiciUsage(runtime, span, request);
    },
    responseHook: (span, { response }) => {
      const headers = response.headers;
      for (let i = 0; i < headers.length; i += 2) {
        if (headers[i].length === 14 && headers[i].toString('latin1').toLowerCase() === 'content-length') {
          const size = headerNumber(headers[i + 1].toString('latin1'));
          if (size !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_BODY_SIZE, size);
          break;
        }
      }
    },
  });
}

export function createInstrumentations(runtime: ActivityRuntime, options: InstrumentationOptions): Instrumentation[] {
  // Routes: Express's is read from req.route at the end and Fastify's through its diagnostics channel
  // (fastify-routes.ts); only Koa and Hono keep theirs where it takes a wrap to reach (framework-route.ts).
  return [
    createHttpInstrumentation(runtime, options),
    createUndiciInstrumentation(runtime),
    new KoaRouteInstrumentation(),
    new HonoRouteInstrumentation(),
  ];
}
