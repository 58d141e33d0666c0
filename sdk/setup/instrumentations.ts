/**
 * The instrumentations we enable, with our hooks: instrumentation-undici for global fetch (diagnostics channels, no
 * patching), and the route readers of Koa and Hono. Inbound requests: inbound-requests.ts; outbound http/https:
 * http-client-spans.ts (channels too, so an app's own instrumentation-http is never displaced).
 */
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { ATTR_HTTP_REQUEST_BODY_SIZE, ATTR_HTTP_RESPONSE_BODY_SIZE } from '../attributes';
import { captureUndiciUsage } from '../external/response-usage-capture';
import { headerNumber } from '../request/raw-header';
import { HonoRouteInstrumentation } from '../request/hono-route-instrumentation';
import { KoaRouteInstrumentation } from '../request/koa-route-instrumentation';
import type { ActivityRuntime } from '../runtime/activity-runtime';

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

export function createInstrumentations(runtime: ActivityRuntime): Instrumentation[] {
  // Routes: Express's is read from req.route at the end and Fastify's through its diagnostics channel
  // (fastify-routes.ts); only Koa and Hono keep theirs where it takes a wrap to reach (framework-route.ts).
  return [
    createUndiciInstrumentation(runtime),
    new KoaRouteInstrumentation(),
    new HonoRouteInstrumentation(),
  ];
}
