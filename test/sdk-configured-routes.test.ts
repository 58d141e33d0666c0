// OTEL_ACTIVITY_ROUTES: templates for apps with no router we read. The matcher alone, then real child processes
// under `node --require`: a plain node:http app (templates before the id heuristic, the heuristic last) and an
// Express app (its own matched route wins over a template; the template serves what Express did not match).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../sdk/index';
import { compileConfiguredRoutes } from '../sdk/request/configured-routes';
import { startFrameworkApp } from './helpers/framework-app';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver';
import { pollUntil } from './helpers/wait-until';

describe('compileConfiguredRoutes', () => {
  const match = compileConfiguredRoutes(['/api/articles/:slug', '/files/*', '/api/articles/feed', '/api/*/settings', '/api/users/:id/orders/:orderId'])!;

  it('matches :name to one segment and keeps the template', () => {
    expect(match('/api/articles/how-to-train-your-dragon-vrdgay')).toBe('/api/articles/:slug');
    expect(match('/api/users/helga@example.com/orders/A-17')).toBe('/api/users/:id/orders/:orderId');
  });

  it('prefers the most specific template whatever the list order', () => {
    expect(match('/api/articles/feed')).toBe('/api/articles/feed');
  });

  it('takes the rest of the path with a last *, one segment with an inner *', () => {
    expect(match('/files/docs/2024/report.pdf')).toBe('/files/*');
    expect(match('/files/a')).toBe('/files/*');
    expect(match('/files')).toBeUndefined();
    expect(match('/api/team-blue/settings')).toBe('/api/*/settings');
    expect(match('/api/a/b/settings')).toBeUndefined();
  });

  it('treats a trailing slash as the same route, and an empty segment as no match', () => {
    expect(match('/api/articles/hello/')).toBe('/api/articles/:slug');
    expect(match('/api/articles//')).toBeUndefined();
    expect(match('/api/articles/hello/comments')).toBeUndefined();
  });

  it('is undefined with no templates (no work per request)', () => {
    expect(compileConfiguredRoutes([])).toBeUndefined();
  });

  it('rejects a template that is not a path, naming the key and the value', () => {
    const problems: string[] = [];
    loadConfig({ env: { OTEL_ACTIVITY_ROUTES: '/ok/:id,articles/:slug' }, sections: ['sdk'], onProblem: (m) => problems.push(m) });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('OTEL_ACTIVITY_ROUTES');
    expect(problems[0]).toContain('has "articles/:slug"; templates are paths starting with /');
  });
});

const PLAIN_APP = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.end('ok'); });
server.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
`;

const EXPRESS_APP = `
const express = require('express');
const app = express();
app.get('/api/articles/:slug', (req, res) => res.send('article'));
const server = app.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
`;

let receiver: OtlpReceiver;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
});

afterAll(async () => {
  await receiver.close();
});

async function routesOf(service: string, count: number): Promise<Array<[unknown, unknown]>> {
  const accessSpans = () => receiver.spans.filter((s) => s.resource['service.name'] === service && s.attributes['activity.kind'] === 'access');
  const found = await pollUntil(accessSpans, (spans) => spans.length >= count, 15_000);
  return found.map((s) => [s.attributes['url.path'], s.attributes['http.route']] as [unknown, unknown]).sort();
}

async function drive(source: string, service: string, routes: string, paths: readonly string[]): Promise<Array<[unknown, unknown]>> {
  const app = await startFrameworkApp(source, {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: service, OTEL_ACTIVITY_ROUTES: routes },
  });
  try {
    for (const p of paths) await (await fetch(`${app.baseUrl}${p}`)).arrayBuffer();
    return await routesOf(service, paths.length);
  } finally {
    await app.dispose();
  }
}

describe('OTEL_ACTIVITY_ROUTES in a running app', () => {
  it('names the routes of a plain node:http app; the id heuristic stays last', async () => {
    const routes = await drive(PLAIN_APP, 'configured-plain', '/api/articles/:slug,/api/profiles/:username/follow,/api/articles/feed,/files/*', [
      '/api/articles/how-to-train-your-dragon-vrdgay',
      '/api/articles/hello-ra11dn?ref=home',
      '/api/articles/feed',
      '/api/profiles/helga%40example.com/follow',
      '/files/docs/2024/report.pdf',
      '/orders/123',
      '/api/articles/how-to/comments',
    ]);
    expect(routes).toEqual([
      ['/api/articles/feed', '/api/articles/feed'],
      ['/api/articles/hello-ra11dn', '/api/articles/:slug'],
      ['/api/articles/how-to-train-your-dragon-vrdgay', '/api/articles/:slug'],
      ['/api/articles/how-to/comments', '/api/articles/how-to/comments'],
      ['/api/profiles/helga%40example.com/follow', '/api/profiles/:username/follow'],
      ['/files/docs/2024/report.pdf', '/files/*'],
      ['/orders/123', '/orders/:id'],
    ]);
  });

  it("keeps the framework's own route first and uses a template only where the framework matched none", async () => {
    const routes = await drive(EXPRESS_APP, 'configured-express', '/api/articles/*', ['/api/articles/hello-world', '/api/articles/hello-world/comments']);
    expect(routes).toEqual([
      ['/api/articles/hello-world', '/api/articles/:slug'],
      ['/api/articles/hello-world/comments', '/api/articles/*'],
    ]);
  });
});
