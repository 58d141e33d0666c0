/**
 * A small app the test writes itself, run as users run it: a child `node <preload…> app.js` in its own folder,
 * with only the environment the test gives it; resolves once it prints `listening <port>` (any case).
 */
import { spawn } from 'node:child_process';

export interface PreloadedApp {
  readonly port: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  kill(signal?: NodeJS.Signals): void;
}

export interface PreloadedAppOptions {
  readonly cwd: string;
  /** e.g. ['--require', REGISTER_CJS]; the app file last. */
  readonly args: readonly string[];
  readonly env: Record<string, string>;
  /** Give up (with what the app printed) when it is not listening by then; default: the test's own timeout. */
  readonly startTimeoutMs?: number;
}

export function startPreloadedApp(options: PreloadedAppOptions): Promise<PreloadedApp> {
  const child = spawn(process.execPath, [...options.args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer =
      options.startTimeoutMs === undefined
        ? undefined
        : setTimeout(() => reject(new Error(`app did not start within ${options.startTimeoutMs} ms:\n${stdout}${stderr}`)), options.startTimeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /listening (\d+)/i.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          exited,
          stdout: () => stdout,
          stderr: () => stderr,
          kill: (signal = 'SIGTERM') => child.kill(signal),
        });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`app exited before listening (${code ?? signal}): ${stdout}${stderr}`));
    });
  });
}
