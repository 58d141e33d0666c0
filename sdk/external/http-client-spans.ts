/**
 * Outbound http/https calls as CLIENT spans, from Node's `http.client.*` diagnostics channels instead of
 * instrumentation-http's patching of `http.request`: nothing of `http` is patched, so an app's own OpenTelemetry
 * SDK, loaded before or after us, instruments `http` exactly as it would without us (patching would make whichever
 * instrumentation enables second miss the module). The channel fires once the headers are written, so these calls
 * carry no trace header of ours; fetch calls do (instrumentation-undici).
 */
import * as diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { context, SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import {
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
  ATTR_ERROR_TYPE,
} from '../attributes';
import { headerNumber } from '../request/raw-header';
import type { ActivityRuntime } from '../runtime/activity-runtime';
import { captureHttpUsage } from './response-usage-capture';

/** The instrumentation scope of these spans (the span processor tells outbound HTTP spans by it). */
export const HTTP_CLIENT_SCOPE = 'otel-activity/http-client';

const CHANNELS = {
  start: 'http.client.request.start',
  error: 'http.client.request.error',
  response: 'http.client.response.finish',
} as const;

const SPAN = Symbol('otel-activity.client-span');

interface TracedRequest extends ClientRequest {
  [SPAN]?: Span;
}

export interface HttpClientOptions {
  /** Origins (`http://host:port/...`) never traced: our own OTLP endpoint. */
  readonly ignoreOrigins?: readonly string[];
}

function originKey(hostname: string, port: string | number): string {
  return `${hostname}:${port}`;
}

function ignoredOrigins(origins: readonly string[]): Set<string> {
  const keys = new Set<string>();
  for (const origin of origins) {
    try {
      const url = new URL(origin);
      keys.add(originKey(url.hostname, url.port || (url.protocol === 'https:' ? 443 : 80)));
    } catch {
      // not a URL: nothing to ignore
    }
  }
  return keys;
}

function defaultPort(protocol: string): number {
  return protocol === 'https:' ? 443 : 80;
}

/** Subscribes to outbound requests; returns the unsubscribe function. */
export function traceHttpClientCalls(runtime: ActivityRuntime, tracer: Tracer, options: HttpClientOptions = {}): () => void {
  const ignored = ignoredOrigins(options.ignoreOrigins ?? []);

  // Ended from whichever comes first of the body's end, an error or the request's close.
  const end = (span: Span): void => {
    if (span.isRecording()) span.end();
  };

  const onStart = (message: unknown): void => {
    const request = (message as { request: TracedRequest }).request;
    try {
      if (isTracingSuppressed(context.active())) return;
      const protocol = request.protocol ?? 'http:';
      const host = request.host ?? 'localhost';
      const socketPort = (request as { socket?: { remotePort?: number } }).socket?.remotePort;
      const agentPort = (request as { agent?: { defaultPort?: number } }).agent?.defaultPort;
      const hostHeader = request.getHeader('host');
      const portFromHost = typeof hostHeader === 'string' ? /:(\d+)$/.exec(hostHeader)?.[1] : undefined;
      const port = Number(portFromHost ?? socketPort ?? agentPort ?? defaultPort(protocol));
      if (ignored.size > 0 && ignored.has(originKey(host, port))) return;
      const method = request.method ?? 'GET';
      const portText = port === defaultPort(protocol) ? '' : `:${port}`;
      const span = tracer.startSpan(method, {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_URL_FULL]: `${protocol}//${host}${portText}${request.path}`,
          [ATTR_SERVER_ADDRESS]: host,
          [ATTR_SERVER_PORT]: port,
        },
      });
      const size = headerNumber(request.getHeader('content-length'));
      if (size !== undefined) span.setAttribute(ATTR_HTTP_REQUEST_BODY_SIZE, size);
      request[SPAN] = span;
      // 'close' always comes (after the response ends, an error or an abort); listening to it changes nothing.
      request.once('close', () => end(span));
    } catch {
      // Tracking must never break the call.
    }
  };

  const onResponse = (message: unknown): void => {
    const { request, response } = message as { request: TracedRequest; response: IncomingMessage };
    const span = request[SPAN];
    if (span === undefined) return;
    try {
      const status = response.statusCode ?? 0;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      const size = headerNumber(response.headers['content-length']);
      if (size !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_BODY_SIZE, size);
      captureHttpUsage(runtime, span, response);
      // The duration runs to the end of the body, as instrumentation-http measures it.
      response.once('end', () => end(span));
    } catch {
      // as above
    }
  };

  const onError = (message: unknown): void => {
    const { request, error } = message as { request: TracedRequest; error: Error };
    const span = request[SPAN];
    if (span === undefined) return;
    if (!span.isRecording()) return;
    span.setAttribute(ATTR_ERROR_TYPE, (error as NodeJS.ErrnoException).code ?? error.name ?? 'Error');
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    end(span);
  };

  diagnosticsChannel.subscribe(CHANNELS.start, onStart);
  diagnosticsChannel.subscribe(CHANNELS.response, onResponse);
  diagnosticsChannel.subscribe(CHANNELS.error, onError);
  return () => {
    diagnosticsChannel.unsubscribe(CHANNELS.start, onStart);
    diagnosticsChannel.unsubscribe(CHANNELS.response, onResponse);
    diagnosticsChannel.unsubscribe(CHANNELS.error, onError);
  };
}
