/**
 * One owner per data directory, owner-only files: a second `serve` on a directory a running service owns exits 1 at
 * once naming that service's pid and URL, and leaves service.json, the run marker and the spool as they were; the data
 * and spool directories are 0700, the files the service writes (spool batches, run marker, pid file, service.json) 0600;
 * without an ingest token a loopback service answers only to a loopback Host.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdDataDir } from './helpers/data-dir-lock';
import { encodeSpans, makeSpans, post } from './helpers/otlp-sender';
import { CLI_MAIN } from './helpers/built-paths';
import { requireBuiltCli, createService, type ServiceProcess } from './helpers/service-process';

let service: ServiceProcess;

beforeAll(async () => {
  requireBuiltCli();
  // Few quick retries: with the engine held by another process a batch goes to the spool within a second.
  service = await createService({ env: { OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '100', OTEL_ACTIVITY_ALERT_INTERVAL_MS: '0', OTEL_ACTIVITY_MAX_RETRIES: '2', OTEL_ACTIVITY_RETRY_INITIAL_MS: '50', OTEL_ACTIVITY_RETRY_MAX_MS: '100' } });
  await service.start();
}, 90_000);

afterAll(async () => {
  await service?.dispose();
}, 60_000);

function snapshot(files: readonly string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [path.basename(f), fs.existsSync(f) ? `${fs.readFileSync(f, 'utf8')}@${fs.statSync(f).mtimeMs}` : 'absent']));
}

describe('data directory ownership and modes', () => {
  it('a second serve on the same data directory exits 1 at once naming the running pid and URL, and touches nothing', async () => {
    const watched = [path.join(service.root, 'service.json'), path.join(service.root, 'spool', '.running'), path.join(service.dataDir, 'otel-activity.pid')];
    const before = snapshot(watched);
    const started = Date.now();
    const second = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [CLI_MAIN, 'serve', '--port', '0', '--data-dir', service.dataDir],
        { cwd: service.root, env: { PATH: process.env.PATH ?? '', HOME: service.root }, timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      ),
    );
    expect(second.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(second.stderr).toBe(
      `otel-activity: the data directory ${service.dataDir} is in use by the otel-activity service pid ${service.pid} at ${service.baseUrl}; stop it first, or give this one its own --data-dir\n`,
    );
    expect(second.stdout).not.toContain('listening');
    expect(snapshot(watched)).toEqual(before);
    // The running one still serves the CLI.
    const status = await service.cli(['status', '--format', 'json']);
    expect(status.code, status.stderr).toBe(0);
    expect((await service.healthz()).status).toBe(200);
  }, 60_000);

  it('without an ingest token, answers only to a loopback Host (DNS rebinding): 421 for any other name, nothing stored', async () => {
    const body = encodeSpans(makeSpans(0x421, 0, 3), 'protobuf');
    for (const host of ['rebind.example', `rebind.example:${service.port}`, `localhost.evil.example:${service.port}`, `10.0.0.1:${service.port}`]) {
      const refused = await post(service.tracesUrl, body, { contentType: 'application/x-protobuf', headers: { host } });
      expect(refused.status, host).toBe(421);
    }
    for (const host of [`localhost:${service.port}`, `127.0.0.1:${service.port}`, `[::1]:${service.port}`]) {
      expect((await post(`${service.baseUrl}/healthz`, '', { method: 'GET', headers: { host } })).status, host).toBe(200);
    }
    const ids = makeSpans(0x421, 0, 3).map((s) => s.spanContext().spanId);
    expect(await service.query('SELECT count() AS n FROM access_log WHERE span_id IN {ids:Array(String)}', { ids })).toEqual([{ n: 0 }]);
  });

  it('keeps the data and spool directories 0700 and the files it writes 0600, spool batches included', async () => {
    const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
    expect([mode(service.dataDir), mode(path.join(service.root, 'spool'))]).toEqual(['700', '700']);
    expect([path.join(service.root, 'service.json'), path.join(service.root, 'spool', '.running'), path.join(service.dataDir, 'otel-activity.pid')].map(mode)).toEqual(['600', '600', '600']);

    // Engine held by another process: the next batches go to the spool.
    await service.stop();
    const lock = await holdDataDir(service.dataDir);
    try {
      await service.start();
      expect((await post(service.tracesUrl, encodeSpans(makeSpans(0x700, 0, 5), 'protobuf'), { contentType: 'application/x-protobuf' })).status).toBe(200);
      const spool = path.join(service.root, 'spool');
      const batches = fs.readdirSync(spool).filter((name) => name.endsWith('.ndjson'));
      expect(batches.length).toBeGreaterThan(0);
      expect(batches.map((name) => mode(path.join(spool, name)))).toEqual(batches.map(() => '600'));
    } finally {
      await lock.release();
    }
  }, 90_000);
});
