/**
 * A real framework app (Express, Fastify, Koa, NestJS, Hono from this repo's devDependencies) run as a child under
 * `node --require dist/sdk/register.js` or `node --import dist/sdk/register.mjs`, the way users run it. The source
 * prints `LISTENING <port>`; the temp folder links the repo's node_modules so `require('fastify')` resolves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REGISTER_CJS } from './fixture-app';
import { REPO_ROOT } from './service-process';

export const REGISTER_ESM = path.join(REPO_ROOT, 'dist', 'sdk', 'register.mjs');

export interface FrameworkApp {
  readonly baseUrl: string;
  output(): string;
  dispose(): Promise<void>;
}

export interface FrameworkAppOptions {
  /** ESM source (`app.mjs`, preloaded with --import) instead of CommonJS (`app.js`, --require). */
  readonly esm?: boolean;
  readonly env: Record<string, string>;
}

export async function startFrameworkApp(source: string, options: FrameworkAppOptions): Promise<FrameworkApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-fw-'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'framework-app', version: '1.0.0', private: true }));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const file = options.esm ? 'app.mjs' : 'app.js';
  fs.writeFileSync(path.join(dir, file), source);
  const preload = options.esm ? ['--import', REGISTER_ESM] : ['--require', REGISTER_CJS];
  const child: ChildProcess = spawn(process.execPath, [...preload, file], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => chunks.push(c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`app did not start:\n${Buffer.concat(chunks).toString()}`)), 30_000);
    child.stdout?.on('data', (c: Buffer) => {
      chunks.push(c);
      text += c.toString();
      const match = /LISTENING (\d+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`app exited before listening:\n${Buffer.concat(chunks).toString()}`));
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => Buffer.concat(chunks).toString('utf8'),
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
