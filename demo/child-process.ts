/**
 * Starts a demo helper process (the fake LLM, the sample app) and waits for the {"port": N} line it prints first;
 * stop() sends SIGTERM and resolves with its exit code.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface DemoChild {
  readonly name: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything it wrote to stderr (for errors). */
  stderr(): string;
  /** SIGTERM; resolves with how it ended. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startChild(name: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<DemoChild> {
  const child = spawn(process.execPath, [...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it listened:\n${stderr}`));
    };
    child.once('exit', early);
    child.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString('utf8');
      const newline = stdout.indexOf('\n');
      if (newline === -1) return;
      clearTimeout(timer);
      child.removeListener('exit', early);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      const { port } = JSON.parse(stdout.slice(0, newline)) as { port: number };
      resolve({
        name,
        port,
        process: child,
        stderr: () => stderr,
        async stop(stopTimeoutMs = 30_000) {
          if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
          const ended = await exited;
          clearTimeout(kill);
          return ended;
        },
      });
    });
  });
}
