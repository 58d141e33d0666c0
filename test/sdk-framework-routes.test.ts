// http.route from the frameworks people use, with no app code: each app is the real framework from npm, run as a
// child under `node --require` (and `--import` for ESM), exporting OTLP to a capturing receiver. The same requests
// (slugs, words, emails, numeric and UUID ids, a mounted router or prefix, an auth check that answers 401, a 404)
// must come back with the exact template each framework matched. This is the README's compatibility matrix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrameworkApp } from './helpers/framework-app';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver';
import { pollUntil } from './helpers/wait-until';

/** [path and query, expected http.route, expected status]. */
const REQUESTS: ReadonlyArray<readonly [string, string, number]> = [
  ['/api/articles/how-to-train-your-dragon-vrdgay', '/api/articles/:slug', 200],
  ['/api/articles/hello-ra11dn', '/api/articles/:slug', 200],
  ['/api/articles/feed?page=2', '/api/articles/feed', 200],
  ['/api/profiles/Helga/follow', '/api/profiles/:username/follow', 200],
  ['/api/users/helga%40example.com', '/api/users/:id', 200],
  ['/api/users/42', '/api/users/:id', 200],
  ['/api/users/0b6c3f0e-8d7a-4e1b-9c2d-3f4a5b6c7d8e', '/api/users/:id', 200],
  ['/api/v2/items/sku-XL-blue', '/api/v2/items/:itemId', 200],
  ['/api/private/x7', '/api/private/:id', 401],
  // No route matched: the heuristic's template (nothing to replace here).
  ['/nope/abc-def', '/nope/abc-def', 404],
];

const expressApp = (pkg: string, esm = false): string => `
${esm ? `import express from '${pkg}';` : `const express = require('${pkg}');`}
const app = express();
app.use((req, res, next) => next());
app.get('/api/articles/feed', (req, res) => res.send('feed'));
app.get('/api/articles/:slug', (req, res) => res.send('article'));
app.get('/api/profiles/:username/follow', (req, res) => res.send('profile'));
app.get('/api/users/:id', (req, res) => res.send('user'));
app.get('/api/private/:id', (req, res, next) => res.status(401).send('no'), (req, res) => res.send('secret'));
const api = express.Router();
const v2 = express.Router();
v2.get('/items/:itemId', (req, res) => res.send('item'));
api.use('/v2', v2);
app.use('/api', api);
const server = app.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
`;

const fastifyApp = (pkg: string, esm = false): string => `
${esm ? `import Fastify from '${pkg}'; const fastify = Fastify();` : `const fastify = require('${pkg}')();`}
// The app's own auth hook answers before any handler runs.
fastify.addHook('onRequest', async (request, reply) => {
  if (request.url.startsWith('/api/private/')) return reply.code(401).send('no');
});
fastify.get('/api/articles/feed', async () => 'feed');
fastify.get('/api/articles/:slug', async () => 'article');
fastify.get('/api/profiles/:username/follow', async () => 'profile');
fastify.get('/api/users/:id', async () => 'user');
fastify.get('/api/private/:id', async () => 'secret');
fastify.register(async (api) => {
  api.register(async (v2) => { v2.get('/items/:itemId', async () => 'item'); }, { prefix: '/v2' });
}, { prefix: '/api' });
fastify.listen({ port: 0, host: '127.0.0.1' }).then(() => console.log('LISTENING ' + fastify.server.address().port));
`;

const koaApp = (esm = false): string => `
${esm ? `import Koa from 'koa'; import Router from '@koa/router';` : `const Koa = require('koa'); const Router = require('@koa/router');`}
const app = new Koa();
app.use(async (ctx, next) => { await next(); });
const api = new Router({ prefix: '/api' });
api.get('/articles/feed', (ctx) => { ctx.body = 'feed'; });
api.get('/articles/:slug', (ctx) => { ctx.body = 'article'; });
api.get('/profiles/:username/follow', (ctx) => { ctx.body = 'profile'; });
api.get('/users/:id', (ctx) => { ctx.body = 'user'; });
api.get('/private/:id', (ctx) => { ctx.status = 401; ctx.body = 'no'; }, (ctx) => { ctx.body = 'secret'; });
const v2 = new Router();
v2.get('/items/:itemId', (ctx) => { ctx.body = 'item'; });
api.use('/v2', v2.routes());
app.use(api.routes());
const server = app.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
`;

const honoApp = (esm = false): string => `
${esm ? `import { Hono } from 'hono'; import { serve } from '@hono/node-server';` : `const { Hono } = require('hono'); const { serve } = require('@hono/node-server');`}
const app = new Hono();
app.use('*', async (c, next) => { await next(); });
const api = new Hono();
api.get('/articles/feed', (c) => c.text('feed'));
api.get('/articles/:slug', (c) => c.text('article'));
api.get('/profiles/:username/follow', (c) => c.text('profile'));
api.get('/users/:id', (c) => c.text('user'));
api.get('/private/:id', (c) => c.text('no', 401), (c) => c.text('secret'));
const v2 = new Hono();
v2.get('/items/:itemId', (c) => c.text('item'));
api.route('/v2', v2);
app.route('/api', api);
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => console.log('LISTENING ' + info.port));
`;

// NestJS without a TypeScript build: the decorators applied with Reflect.decorate, as tsc would emit them.
const nestApp = (platform: 'express' | 'fastify'): string => `
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { Module, Controller, Get, UnauthorizedException } = require('@nestjs/common');
function controller(path, routes) {
  class RoutesController {}
  for (const [name, route, handler] of routes) {
    RoutesController.prototype[name] = handler;
    Reflect.decorate([Get(route)], RoutesController.prototype, name, Object.getOwnPropertyDescriptor(RoutesController.prototype, name));
  }
  Reflect.decorate([Controller(path)], RoutesController);
  return RoutesController;
}
const controllers = [
  controller('articles', [['feed', 'feed', () => 'feed'], ['article', ':slug', () => 'article']]),
  controller('profiles', [['follow', ':username/follow', () => 'profile']]),
  controller('users', [['user', ':id', () => 'user']]),
  controller('v2/items', [['item', ':itemId', () => 'item']]),
  controller('private', [['secret', ':id', () => { throw new UnauthorizedException(); }]]),
];
class AppModule {}
Reflect.decorate([Module({ controllers })], AppModule);
(async () => {
  ${platform === 'fastify'
    ? "const { FastifyAdapter } = require('@nestjs/platform-fastify'); const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });"
    : "const app = await NestFactory.create(AppModule, { logger: false });"}
  app.setGlobalPrefix('api');
  await app.listen(0, '127.0.0.1');
  console.log('LISTENING ' + app.getHttpServer().address().port);
})();
`;

interface Case {
  readonly name: string;
  readonly source: string;
  readonly esm?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'Express 5', source: expressApp('express') },
  { name: 'Express 5 (ESM, --import)', source: expressApp('express', true), esm: true },
  { name: 'Express 4', source: expressApp('express4') },
  { name: 'Fastify 5', source: fastifyApp('fastify') },
  { name: 'Fastify 5 (ESM, --import)', source: fastifyApp('fastify', true), esm: true },
  { name: 'Fastify 4', source: fastifyApp('fastify4') },
  { name: 'Koa 3 + @koa/router', source: koaApp() },
  { name: 'Koa 3 + @koa/router (ESM, --import)', source: koaApp(true), esm: true },
  { name: 'NestJS on Express', source: nestApp('express') },
  { name: 'NestJS on Fastify', source: nestApp('fastify') },
  { name: 'Hono on @hono/node-server', source: honoApp() },
  { name: 'Hono on @hono/node-server (ESM, --import)', source: honoApp(true), esm: true },
];

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});

afterAll(async () => {
  await receiver.close();
});

async function accessSpansOf(service: string, count: number): Promise<ReceivedSpan[]> {
  const accessSpans = () => receiver.spans.filter((s) => s.resource['service.name'] === service && s.attributes['activity.kind'] === 'access');
  return pollUntil(accessSpans, (spans) => spans.length >= count, 15_000);
}

describe('http.route from the framework, with no app code', () => {
  CASES.forEach((c, index) => {
    it(`${c.name}: each request has the route its router matched`, async () => {
      const service = `routes-${index}`;
      const app = await startFrameworkApp(c.source, {
        esm: c.esm,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: service },
      });
      try {
        for (const [pathAndQuery, , status] of REQUESTS) {
          const response = await fetch(`${app.baseUrl}${pathAndQuery}`);
          await response.arrayBuffer();
          expect(response.status, pathAndQuery).toBe(status);
        }
        const spans = await accessSpansOf(service, REQUESTS.length);
        const seen = spans.map((s) => [s.attributes['url.path'], s.attributes['http.route'], s.attributes['http.response.status_code']]);
        const expected = REQUESTS.map(([pathAndQuery, route, status]) => [pathAndQuery.split('?')[0], route, status]);
        expect(seen.sort()).toEqual(expected.sort());
        for (const span of spans) expect(span.name).toBe(`GET ${String(span.attributes['http.route'])}`);
        expect(app.output()).not.toMatch(/otel-activity: could not/);
      } finally {
        await app.dispose();
      }
    });
  });
});
