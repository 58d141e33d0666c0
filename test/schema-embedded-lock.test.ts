/**
 * chDB locks its data directory: while this process holds it, a second process opening the same directory
 * gets a DataDirInUseError naming the directory, the owner's pid and what to do, instead of crashing.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';

let dir: string;
let dataDir: string;
let sink: EmbeddedSink;
let childModule: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-lock-'));
  // The child runs the TypeScript source, bundled by esbuild (vitest's own bundler), so no prior build is needed.
  childModule = path.join(dir, 'embedded-sink.js');
  buildSync({
    entryPoints: [path.join(__dirname, '..', 'exporter', 'sinks', 'embedded-sink.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['chdb', '@opentelemetry/api'],
    outfile: childModule,
    logLevel: 'silent',
  });
  dataDir = path.join(dir, 'data');
  sink = new EmbeddedSink({ dataDir });
  await sink.command('CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a');
});
afterAll(async () => {
  await sink.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function runChild(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], {
      cwd: path.join(__dirname, '..'),
      // The bundle lives in the temp dir; its externals (chdb, @opentelemetry/api) come from the repo.
      env: { ...process.env, NODE_PATH: path.join(__dirname, '..', 'node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('EmbeddedSink data directory lock', () => {
  it('a second process gets a clear DataDirInUseError naming the directory and this pid', async () => {
    const { code, stdout, stderr } = await runChild(CHILD(childModule, dataDir));
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout.trim().split('\n').pop()!) as { name: string; message: string; ownerPid: number; insert: unknown };
    expect(report.name).toBe('DataDirInUseError');
    expect(report.ownerPid).toBe(process.pid);
    expect(report.message).toBe(
      `otel-activity: data directory ${dataDir} is in use by another process (pid ${process.pid}). Stop it, or point ` +
        'OTEL_ACTIVITY_DATA_DIR elsewhere, or use the CLI, which talks to the running service.',
    );
    // insert() never throws: the exporter gets a retryable failure and spools.
    expect(report.insert).toEqual({ ok: false, retryable: true, name: 'DataDirInUseError' });
    // The owner is unaffected.
    await sink.command('INSERT INTO t VALUES (1)');
    expect(await sink.query('SELECT a FROM t')).toEqual([{ a: 1 }]);
  });
});

const CHILD = (modulePath: string, dataDir: string): string => `
const { EmbeddedSink } = require(${JSON.stringify(modulePath)});
(async () => {
  const sink = new EmbeddedSink({ dataDir: ${JSON.stringify(dataDir)} });
  let report = {};
  try { sink.open(); report = { name: 'opened' }; } catch (e) { report = { name: e.name, message: e.message, ownerPid: e.ownerPid }; }
  const r = await sink.insert('t', [{ a: 2 }], { dedupToken: 'x' });
  report.insert = r.ok ? r : { ok: r.ok, retryable: r.retryable, name: r.error.name };
  console.log(JSON.stringify(report));
})();
`;
