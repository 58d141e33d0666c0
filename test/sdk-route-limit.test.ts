// The bound on distinct http.route values (OTEL_ACTIVITY_MAX_ROUTES): in-process, the real SDK with an
// InMemorySpanExporter and a real node:http app with no router, so every new slug is a new route. Past the bound a
// new route is stored as `(other)`, a route seen before keeps its name, and every fold is counted.
import type * as Http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getActivityStats, loadConfig, startActivityTracing, type ActivityTracing } from '../sdk/index';
import { createRouteLimit, OVERFLOW_ROUTE } from '../sdk/request/route-limit';
import { pollUntil } from './helpers/wait-until';

const exporter = new InMemorySpanExporter();
let tracing: ActivityTracing;
let app: Http.Server;
let baseUrl = '';

beforeAll(async () => {
  const config = loadConfig({ env: { OTEL_ACTIVITY_MAX_ROUTES: '3', OTEL_ACTIVITY_EXPORT: 'none' }, sections: ['sdk'] });
  tracing = startActivityTracing(config, { exporter, simpleProcessor: true });
  // Required after tracing started, as an app preloaded with --require would.
  const http = createRequire(__filename)('node:http') as typeof Http;
  app = http.createServer((req, res) => res.end('ok'));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  app?.close();
  await tracing?.shutdown();
});

async function routeOf(path: string): Promise<ReadableSpan> {
  const before = exporter.getFinishedSpans().length;
  await context.with(suppressTracing(context.active()), async () => (await fetch(`${baseUrl}${path}`)).arrayBuffer());
  await pollUntil(() => exporter.getFinishedSpans().length, (n) => n > before, 3000, 5);
  return exporter.getFinishedSpans()[before];
}

describe('maxRoutes', () => {
  it('folds new routes past the bound into (other), keeps known ones, and counts every fold', async () => {
    const folded = getActivityStats().routesFolded;
    const seen: Array<[string, unknown, string]> = [];
    for (const path of ['/a/one-word', '/a/two-word', '/a/three-word', '/a/four-word', '/a/one-word', '/users/42', '/a/three-word']) {
      const span = await routeOf(path);
      seen.push([path, span.attributes['http.route'], span.name]);
    }
    expect(seen).toEqual([
      ['/a/one-word', '/a/one-word', 'GET /a/one-word'],
      ['/a/two-word', '/a/two-word', 'GET /a/two-word'],
      ['/a/three-word', '/a/three-word', 'GET /a/three-word'],
      ['/a/four-word', '(other)', 'GET (other)'],
      ['/a/one-word', '/a/one-word', 'GET /a/one-word'],
      ['/users/42', '(other)', 'GET (other)'],
      ['/a/three-word', '/a/three-word', 'GET /a/three-word'],
    ]);
    expect(getActivityStats().routesFolded - folded).toBe(2);
  });
});

describe('createRouteLimit', () => {
  it('has no bound at 0', () => {
    const limit = createRouteLimit(0);
    const before = getActivityStats().routesFolded;
    for (let i = 0; i < 5000; i++) expect(limit(`/r/${i}`)).toBe(`/r/${i}`);
    expect(getActivityStats().routesFolded).toBe(before);
  });

  it('keeps exactly maxRoutes distinct values', () => {
    const limit = createRouteLimit(2);
    expect([limit('/a'), limit('/b'), limit('/c'), limit('/a'), limit('/b'), limit('/d')]).toEqual(['/a', '/b', OVERFLOW_ROUTE, '/a', '/b', OVERFLOW_ROUTE]);
    expect(OVERFLOW_ROUTE).toBe('(other)');
  });
});
