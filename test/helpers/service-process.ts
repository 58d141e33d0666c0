/**
 * Runs the real OTLP ingest service (`node exporter/dist/exporter/cli/main.js serve`) as a child process on a loopback port and
 * a data directory of its own: start, wait for /healthz, SIGKILL, SIGTERM, restart on the same directory, and keep
 * everything it printed (so tests can grep its output for secrets).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from './free-port';
import { pollUntil, waitUntil } from './wait-until';

import { CLI_MAIN, REPO_ROOT } from './built-paths';

export interface ServiceOptions {
  /** Root temp dir; the chDB data dir is `${root}/data`, the spool defaults to `${root}/spool`. */
  readonly root?: string;
  readonly env?: Record<string, string>;
  readonly args?: readonly string[];
  /** Admin token for /api/query and the dashboard (default: a fixed test token). */
  readonly adminToken?: string;
  /** How long start() waits for /healthz (default 60 s: chDB and migrations take a few seconds on two shared cores). */
  readonly readyTimeoutMs?: number;
}

export interface ServiceProcess {
  readonly root: string;
  readonly dataDir: string;
  readonly port: number;
  readonly baseUrl: string;
  readonly tracesUrl: string;
  /** Every byte the service wrote to stdout and stderr, across restarts. */
  output(): string;
  readonly pid: number | undefined;
  running(): boolean;
  start(): Promise<void>;
  /** SIGKILL, resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM, resolves with the exit code/signal once the process is gone (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Stops (SIGKILL) and removes the root directory. */
  dispose(): Promise<void>;
  /** GET /healthz and /metrics, parsed. */
  healthz(): Promise<{ status: number; body: string }>;
  metrics(token?: string): Promise<Record<string, unknown>>;
  /** SELECT through the running service's POST /api/query (needs `adminToken`, which createService sets). */
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  readonly adminToken: string;
  /** GET /api/tables: the tables /api/query may read (system.* is not readable there), their columns and TTL. */
  tables(): Promise<Record<string, { columns: Array<{ name: string; type: string }>; ttl: string }>>;
  /** Polls `sql` (which selects a count as `n`) until it reaches `n` or 20 s pass; returns the last count. */
  waitForCount(sql: string, params: Record<string, unknown>, n: number): Promise<number>;
  /** Runs the CLI against this service's data directory (it goes through the running service when there is one). */
  cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Throws, naming the command that makes it, when the built CLI is missing (npm test builds it first). */
export function requireBuiltCli(): void {
  if (!fs.existsSync(CLI_MAIN)) throw new Error(`${path.relative(REPO_ROOT, CLI_MAIN)} is missing: run npm run build`);
}

export async function createService(options: ServiceOptions = {}): Promise<ServiceProcess> {
  const root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-rel-'));
  const dataDir = path.join(root, 'data');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const adminToken = options.adminToken ?? 'rel-admin-token-0b7e5d';
  const chunks: Buffer[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  async function healthy(): Promise<boolean> {
    if (!isRunning()) throw new Error(`service exited (${child?.exitCode ?? child?.signalCode}) before /healthz answered:\n${tail()}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      await response.arrayBuffer();
      return response.ok;
    } catch {
      return false; // not listening yet
    }
  }

  async function waitReady(timeoutMs: number): Promise<void> {
    await waitUntil(healthy, timeoutMs, () => `/healthz to answer:\n${tail()}`, 50);
  }

  function tail(): string {
    return Buffer.concat(chunks).toString('utf8').slice(-4000);
  }

  const service: ServiceProcess = {
    root,
    dataDir,
    port,
    baseUrl,
    tracesUrl: `${baseUrl}/v1/traces`,
    output: () => Buffer.concat(chunks).toString('utf8'),
    get pid() {
      return child?.pid;
    },
    running: isRunning,
    async start() {
      if (isRunning()) return;
      const args = [CLI_MAIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, ...(options.args ?? [])];
      child = spawn(process.execPath, args, {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: root, OTEL_ACTIVITY_ADMIN_TOKEN: adminToken, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const running = child;
      running.stdout?.on('data', (c: Buffer) => chunks.push(c));
      running.stderr?.on('data', (c: Buffer) => chunks.push(c));
      exited = new Promise((resolve) => running.once('exit', (code, signal) => resolve({ code, signal })));
      await waitReady(options.readyTimeoutMs ?? 60_000);
    },
    async kill() {
      if (!isRunning()) return;
      child!.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 30_000) {
      if (!isRunning()) return (await exited) ?? { code: null, signal: null };
      child!.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), graceMs);
      const result = await exited!;
      clearTimeout(timer);
      return result;
    },
    async dispose() {
      await service.kill();
      fs.rmSync(root, { recursive: true, force: true });
    },
    async healthz() {
      const response = await fetch(`${baseUrl}/healthz`);
      return { status: response.status, body: await response.text() };
    },
    adminToken,
    async query<T = Record<string, unknown>>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
      const response = await fetch(`${baseUrl}/api/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql, params }),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`/api/query answered ${response.status}: ${text}`);
      return (JSON.parse(text) as { rows: T[] }).rows;
    },
    async tables() {
      const response = await fetch(`${baseUrl}/api/tables`, { headers: { authorization: `Bearer ${adminToken}` } });
      const text = await response.text();
      if (!response.ok) throw new Error(`/api/tables answered ${response.status}: ${text}`);
      return (JSON.parse(text) as { tables: Record<string, { columns: Array<{ name: string; type: string }>; ttl: string }> }).tables;
    },
    async waitForCount(sql: string, params: Record<string, unknown>, n: number): Promise<number> {
      const count = async () => Number((await service.query<{ n: string }>(sql, params))[0]?.n ?? 0);
      return pollUntil(count, (c) => c >= n, 20_000, 100);
    },
    cli(args: readonly string[]) {
      return new Promise((resolve) => {
        execFile(process.execPath, [CLI_MAIN, ...args], { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', HOME: root, OTEL_ACTIVITY_DATA_DIR: dataDir } }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    },
    async metrics(token?: string) {
      const response = await fetch(`${baseUrl}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      const text = await response.text();
      if (!response.ok) throw new Error(`/metrics answered ${response.status}: ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    },
  };
  return service;
}
