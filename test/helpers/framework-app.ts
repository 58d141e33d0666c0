/**
 * A real framework app (Express, Fastify, Koa, NestJS, Hono from this repo's devDependencies) run as a child under
 * `node --require sdk/dist/register.js` or `node --import sdk/dist/register.mjs`, the way users run it. The source
 * prints `LISTENING <port>`; the temp folder links the repo's node_modules so `require('fastify')` resolves.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startPreloadedApp } from './preloaded-app';

import { REGISTER_CJS, REGISTER_ESM, REPO_ROOT } from './built-paths';

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
  const app = await startPreloadedApp({ cwd: dir, args: [...preload, file], env: { HOME: dir, ...options.env }, startTimeoutMs: 30_000 });
  return {
    baseUrl: `http://127.0.0.1:${app.port}`,
    output: () => app.stdout() + app.stderr(),
    async dispose() {
      app.kill('SIGKILL');
      await app.exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
