/**
 * Runs a command to its end and returns its exit status and output, without blocking this test worker: a long
 * spawnSync stops the worker's event loop, and vitest's RPC to it times out on a loaded machine.
 */
import { execFile } from 'node:child_process';

export interface ChildRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunChildOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

export function runChild(command: string, args: readonly string[], options: RunChildOptions = {}): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      [...args],
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (_error, stdout, stderr) => resolve({ status: child.exitCode, signal: child.signalCode, stdout, stderr }),
    );
  });
}
