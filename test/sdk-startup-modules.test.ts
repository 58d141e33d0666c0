/**
 * What `--require otel-activity/register` loads into the app at start: every module is start-up time and resident
 * memory in someone else's process, so what only some apps use (JSON export, B3 propagation) loads only when
 * configured, and the SDK packages load once (no second, pinned copy).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REGISTER_CJS } from './helpers/built-paths';
import { startPreloadedApp } from './helpers/preloaded-app';
import { runChild } from './helpers/run-child';
import { waitUntil } from './helpers/wait-until';

const PRINT_PACKAGES = `
const found = new Set();
for (const file of Object.keys(require.cache)) {
  const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)(?:\\/node_modules\\/((?:@[^/]+\\/)?[^/]+))?/.exec(file);
  if (match) found.add(match[2] ? match[1] + ' > ' + match[2] : match[1]);
}
console.log(JSON.stringify([...found].sort()));
`;

async function loadedPackages(env: Record<string, string>): Promise<string[]> {
  const run = await runChild(process.execPath, ['--require', REGISTER_CJS, '-e', PRINT_PACKAGES], {
    env: { PATH: process.env.PATH, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_ACTIVITY_BUFFER_DIR: '', ...env },
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as string[];
}

describe('modules loaded at the app start', () => {
  it('by default: the SDK once, no JSON serializers, no B3', async () => {
    const loaded = await loadedPackages({});
    expect(loaded).toContain('@opentelemetry/sdk-trace-base');
    expect(loaded).not.toContain('@opentelemetry/otlp-transformer');
    expect(loaded).not.toContain('@opentelemetry/sdk-metrics');
    expect(loaded).not.toContain('@opentelemetry/propagator-b3');
    expect(loaded).not.toContain('@opentelemetry/sdk-trace-node');
    // A nested copy ("a > b") is a second version of a package loaded beside the first.
    expect(loaded.filter((name) => name.includes(' > '))).toEqual([]);
  });

  it('JSON export and B3 load what they need when configured', async () => {
    const loaded = await loadedPackages({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_PROPAGATORS: 'tracecontext,b3' });
    expect(loaded).toContain('@opentelemetry/otlp-transformer');
    expect(loaded).toContain('@opentelemetry/propagator-b3');
  });
});

describe('what loads on first use', () => {
  it('zlib, https, tls and child_process are not loaded until an app needs them', async () => {
    const run = await runChild(process.execPath, ['--require', REGISTER_CJS, '-e', 'console.log(JSON.stringify(process.moduleLoadList))'], {
      env: { PATH: process.env.PATH, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_ACTIVITY_BUFFER_DIR: '' },
    });
    expect(run.status, run.stderr).toBe(0);
    const builtins = JSON.parse(run.stdout.trim().split('\n').pop()!) as string[];
    expect(builtins).toContain('NativeModule http');
    for (const lazy of ['zlib', 'https', 'tls', 'child_process']) expect(builtins).not.toContain(`NativeModule ${lazy}`);
  });

  it('an https collector still gets the batch (https loads on the first export)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-https-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const bodies: string[] = [];
    const collector = https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(`${request.method} ${request.url} ${Buffer.concat(chunks).toString('latin1')}`);
        response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    fs.writeFileSync(path.join(dir, 'app.js'), `
      const http = require('node:http');
      const server = http.createServer((req, res) => res.end('ok'));
      server.listen(0, '127.0.0.1', () => {
        const port = server.address().port;
        http.get('http://127.0.0.1:' + port + '/over-https-check', (res) => { res.resume(); console.log('listening ' + port); });
      });
    `);
    const app = await startPreloadedApp({
      cwd: dir,
      args: ['--require', REGISTER_CJS, 'app.js'],
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `https://127.0.0.1:${(collector.address() as AddressInfo).port}`,
        NODE_EXTRA_CA_CERTS: cert,
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_ACTIVITY_BUFFER_DIR: '',
      },
      startTimeoutMs: 20_000,
    });
    try {
      await waitUntil(() => bodies.some((body) => body.includes('/over-https-check')), 20_000, () => `the span over https; got ${bodies.length} bodies; app stderr: ${app.stderr()}`);
      expect(bodies.find((body) => body.includes('/over-https-check'))).toMatch(/^POST \/v1\/traces /);
    } finally {
      app.kill();
      await app.exited;
      await new Promise<void>((resolve) => collector.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
