/**
 * The two packages as users get them: `npm pack` of the SDK (otel-activity) and of the server
 * (otel-activity-server), installed from the tarballs into fresh apps outside the repository, then run: the SDK
 * alone under `node --require otel-activity/register`, and both together storing and reporting in-process rows.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/built-paths';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver';
import { startPreloadedApp } from './helpers/preloaded-app';

const run = promisify(execFile);
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-packages-'));
const SDK_BUDGET_BYTES = 40 * 1024 * 1024;
/** What only the server needs: none of it may reach an app that installs the SDK alone. */
const SERVER_ONLY = ['chdb', '@chdb', '@clickhouse', 'commander', 'cli-table3', 'chart.js', 'protobufjs'];

const APP = `
const http = require('node:http');
const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
process.on('SIGTERM', () => server.close());
`;

let sdkTarball = '';
let serverTarball = '';

async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['tzf', tarball]);
  return stdout.split('\n').filter((line) => line !== '');
}

/** A fresh app folder with the given tarballs installed from them (dependencies from the registry or npm's cache). */
async function appWith(name: string, tarballs: string[]): Promise<string> {
  const dir = path.join(WORK, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, private: true }));
  fs.writeFileSync(path.join(dir, 'app.js'), APP);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], { cwd: dir, timeout: 240_000 });
  return dir;
}

function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += bytesUnder(full);
    else if (entry.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

async function get(port: number, pathname: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${pathname}`);
  await response.text();
  return response.status;
}

beforeAll(async () => {
  const packs = path.join(WORK, 'packs');
  fs.mkdirSync(packs);
  const { stdout } = await run('npm', ['pack', '--json', '--workspace', 'sdk', '--workspace', 'exporter', '--pack-destination', packs], { cwd: REPO_ROOT });
  const packed = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ name: string; filename: string }>;
  sdkTarball = path.join(packs, packed.find((p) => p.name === 'otel-activity')!.filename);
  serverTarball = path.join(packs, packed.find((p) => p.name === 'otel-activity-server')!.filename);
}, 120_000);

afterAll(() => fs.rmSync(WORK, { recursive: true, force: true }));

describe('the published tarballs', () => {
  it('hold the built code and shipped files, and neither bench/, demo/ nor tests', async () => {
    const sdk = await tarballFiles(sdkTarball);
    const server = await tarballFiles(serverTarball);
    expect(sdk).toContain('package/dist/register.js');
    expect(sdk).toContain('package/dist/register.mjs');
    expect(sdk).toContain('package/dist/contract.d.ts');
    expect(server).toContain('package/dist/exporter/cli/main.js');
    expect(server).toContain('package/schemas/migrations/001_access_log.sql');
    expect(server).toContain('package/schemas/queries/top-routes.sql');
    expect(server).toContain('package/service/proto/opentelemetry/proto/collector/trace/v1/trace_service.proto');
    expect(server).toContain('package/dashboard/static/index.html');
    expect(server).toContain('package/otel-collector.yaml');
    const unpublished = [...sdk, ...server].filter((f) => /(^|\/)(bench|demo|test)\/|\.test\.|\.ts$(?<!\.d\.ts)|tsbuildinfo/.test(f));
    expect(unpublished).toEqual([]);
    // The server's build holds no copy of the SDK: it uses the otel-activity package.
    expect(server.filter((f) => f.startsWith('package/dist/sdk/'))).toEqual([]);
  });
});

describe('an app that installs the SDK alone', () => {
  let dir = '';
  let receiver: OtlpReceiver;

  beforeAll(async () => {
    dir = await appWith('sdk-only-app', [sdkTarball]);
    receiver = await startOtlpReceiver();
  }, 300_000);

  afterAll(async () => receiver?.close());

  it(`gets under ${SDK_BUDGET_BYTES / 1024 / 1024} MB of node_modules and no engine, client or CLI`, () => {
    const bytes = bytesUnder(path.join(dir, 'node_modules'));
    expect(bytes, `${(bytes / 1024 / 1024).toFixed(1)} MB`).toBeLessThan(SDK_BUDGET_BYTES);
    expect(SERVER_ONLY.filter((name) => fs.existsSync(path.join(dir, 'node_modules', name)))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'node_modules', '@opentelemetry', 'api')), 'the peer @opentelemetry/api').toBe(true);
  });

  it('runs under node --require otel-activity/register and exports the access span with its route', async () => {
    const app = await startPreloadedApp({
      cwd: dir,
      args: ['--require', 'otel-activity/register', 'app.js'],
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'sdk-only-app', OTEL_ACTIVITY_BUFFER_DIR: path.join(dir, 'buffer') },
      startTimeoutMs: 30_000,
    });
    expect(await get(app.port, '/orders/42')).toBe(200);
    app.kill('SIGTERM');
    await app.exited;
    const access = receiver.spans.filter((s) => s.attributes['activity.kind'] === 'access');
    expect(access.map((s) => [s.attributes['http.route'], s.attributes['url.path'], s.attributes['http.response.status_code']])).toEqual([
      ['/orders/:id', '/orders/42', 200],
    ]);
    expect(app.stderr()).toBe('');
  });

  it('asked for in-process export, says once which package to install and keeps serving', async () => {
    const app = await startPreloadedApp({
      cwd: dir,
      args: ['--require', 'otel-activity/register', 'app.js'],
      env: { OTEL_ACTIVITY_EXPORT: 'inprocess', OTEL_SERVICE_NAME: 'sdk-only-app', OTEL_ACTIVITY_BUFFER_DIR: path.join(dir, 'buffer-inprocess') },
      startTimeoutMs: 30_000,
    });
    expect(await get(app.port, '/a')).toBe(200);
    expect(await get(app.port, '/b')).toBe(200);
    app.kill('SIGTERM');
    await app.exited;
    const lines = app.stderr().split('\n').filter((line) => line.includes('npm install otel-activity-server'));
    expect(lines).toHaveLength(1);
  });
});

describe('an app that installs both packages', () => {
  let dir = '';
  const dataDir = () => path.join(dir, 'activity-data');
  const cli = (...args: string[]) =>
    run(path.join(dir, 'node_modules', '.bin', 'otel-activity'), args, { cwd: dir, env: { PATH: process.env.PATH ?? '', OTEL_ACTIVITY_DATA_DIR: dataDir() } });

  beforeAll(async () => {
    dir = await appWith('full-app', [sdkTarball, serverTarball]);
  }, 300_000);

  it('stores its requests in-process and the otel-activity CLI reports them', async () => {
    const app = await startPreloadedApp({
      cwd: dir,
      args: ['--require', 'otel-activity/register', 'app.js'],
      env: { OTEL_ACTIVITY_EXPORT: 'inprocess', OTEL_ACTIVITY_DATA_DIR: dataDir(), OTEL_SERVICE_NAME: 'full-app', OTEL_ACTIVITY_BUFFER_DIR: path.join(dir, 'buffer') },
      startTimeoutMs: 60_000,
    });
    for (const p of ['/a', '/items/1', '/items/2']) expect(await get(app.port, p)).toBe(200);
    app.kill('SIGTERM');
    expect((await app.exited).code).toBe(0);
    expect(app.stderr()).toBe('');

    const { stdout } = await cli('query', 'SELECT route, count() AS n FROM access_log GROUP BY route ORDER BY route', '--format', 'json');
    expect(JSON.parse(stdout)).toEqual([
      { route: '/a', n: 1 },
      { route: '/items/:id', n: 2 },
    ]);
    const reports = await cli('reports');
    expect(reports.stdout).toContain('top-routes');
  });
});
