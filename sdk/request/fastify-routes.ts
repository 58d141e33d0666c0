/**
 * Fastify's matched route URL (with its prefixes) on the request, for Fastify 4 and 5 and NestJS on Fastify, with no
 * patching: Fastify publishes every new instance on the `fastify.initialization` diagnostics channel, and there we
 * add one root onRequest hook, before any of the app's own, so it runs also when the app's hook answers (a 401).
 */
import * as diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { diag } from '@opentelemetry/api';
import { setFrameworkRoute } from './framework-route';

const INITIALIZATION = 'fastify.initialization';

interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  readonly routeOptions?: { readonly url?: unknown };
  [key: symbol]: unknown;
}

interface FastifyInstanceLike {
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: unknown, done: () => void) => void): unknown;
}

// Fastify keeps the route context (its config.url is the matched route, undefined for 404) under an internal symbol,
// named the same in 4 and 5. Reading it is one property load; the public `routeOptions` getter builds (and in 4
// freezes) a fresh object on every call, so it is only the fallback.
const CONTEXT_SYMBOL_NAME = 'fastify.context';
let contextSymbol: symbol | null | undefined;

function findContextSymbol(request: FastifyRequestLike): symbol | null {
  for (const symbol of Object.getOwnPropertySymbols(request)) {
    if (symbol.description === CONTEXT_SYMBOL_NAME) return symbol;
  }
  return null;
}

function routeUrlOf(request: FastifyRequestLike): unknown {
  if (contextSymbol === undefined) contextSymbol = findContextSymbol(request);
  if (contextSymbol !== null) {
    const context = request[contextSymbol] as { readonly config?: { readonly url?: unknown } } | undefined;
    return context?.config?.url;
  }
  return request.routeOptions?.url;
}

let hookFailed = false;

function recordRoute(request: FastifyRequestLike, _reply: unknown, done: () => void): void {
  try {
    const url = routeUrlOf(request);
    if (typeof url === 'string') setFrameworkRoute(request.raw, url);
  } catch (error) {
    if (!hookFailed) {
      hookFailed = true;
      diag.warn('otel-activity: could not read the Fastify route (reported once)', error);
    }
  }
  done();
}

function onInitialization(message: unknown): void {
  const fastify = (message as { fastify?: FastifyInstanceLike } | undefined)?.fastify;
  if (fastify === undefined || typeof fastify.addHook !== 'function') return;
  try {
    fastify.addHook('onRequest', recordRoute);
  } catch (error) {
    diag.warn('otel-activity: could not add the Fastify route hook; routes fall back to templates', error);
  }
}

/** Subscribes to new Fastify instances; returns the unsubscribe function. */
export function traceFastifyRoutes(): () => void {
  diagnosticsChannel.subscribe(INITIALIZATION, onInitialization);
  return () => diagnosticsChannel.unsubscribe(INITIALIZATION, onInitialization);
}
