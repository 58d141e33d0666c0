/**
 * Starts a node child (an app under some preload, or the OTLP service), optionally pinned to a core with
 * taskset, waits until it prints the port it listens on, and reads its RSS from /proc.
 */
import * as os from 'node:os';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export interface StartOptions {
  /** Arguments to node: preloads, flags and the script. */
  readonly nodeArgs: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** taskset -c list, e.g. '0'; ignored when taskset is missing. */
  readonly cpus?: string;
  /** How to find the port in the child's output: the first capture group. */
  readonly portPattern?: RegExp;
  readonly timeoutMs?: number;
  /** Label for errors. */
  readonly name: string;
}

export interface StartedChild {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything the child wrote so far (stdout + stderr), for error reports. */
  output(): string;
  /** SIGKILL and wait for exit: nothing the child does afterwards leaks into the next measurement. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

let tasksetChecked: boolean | undefined;
export function hasTaskset(): boolean {
  tasksetChecked ??= spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return tasksetChecked;
}

/** Pins the current process (the load generator) to the given cores. */
export function pinSelf(cpus: string): boolean {
  if (!hasTaskset()) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]).status === 0;
}

/** Undoes pinSelf: every core of the machine (os.availableParallelism() would read the pinned affinity, one core). */
export function unpinSelf(): void {
  pinSelf(`0-${os.cpus().length - 1}`);
}

/** Children still running; killed when the bench exits, however it exits, so none outlives a failed run. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export const DEFAULT_PORT_PATTERN = /LISTENING (\d+)/;

export function startChild(options: StartOptions): Promise<StartedChild> {
  const pinned = options.cpus !== undefined && hasTaskset();
  const command = pinned ? 'taskset' : process.execPath;
  const args = pinned ? ['-c', options.cpus!, process.execPath, ...options.nodeArgs] : [...options.nodeArgs];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  const pattern = options.portPattern ?? DEFAULT_PORT_PATTERN;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const started: StartedChild = {
    child,
    port: 0,
    output: () => out,
    kill: async (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.name}: no port printed within ${options.timeoutMs ?? 30_000} ms; output:\n${out.slice(-2000)}`));
    }, options.timeoutMs ?? 30_000);
    const onData = (chunk: Buffer): void => {
      // Keep only the tail: a chatty child must not grow the bench's memory.
      out = (out + chunk.toString()).slice(-20_000);
      const match = pattern.exec(out);
      if (match && started.port === 0) {
        clearTimeout(timer);
        resolve({ ...started, port: Number(match[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${options.name}: exited (${code ?? signal}) before printing its port; output:\n${out.slice(-2000)}`));
    });
  });
}

/** Current and peak resident set of a process, in MiB (VmRSS / VmHWM); undefined when /proc has no answer. */
export function readRss(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    if (!rss || !hwm) return undefined;
    return { rssMiB: Number(rss[1]) / 1024, peakMiB: Number(hwm[1]) / 1024 };
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds a process has used so far (all its threads: GC helpers and libuv too); Linux /proc. */
export function readCpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Waits until the processes together use less than `cpuFraction` of one core over a 500 ms window (an engine's
 * background merges finished), or `timeoutMs` passed; returns the ms waited. For a baseline that must not share the
 * cores with work left over from the variant before it.
 */
export async function waitForIdle(pids: readonly number[], cpuFraction = 0.1, timeoutMs = 20_000): Promise<number> {
  const start = Date.now();
  const total = (): number => pids.reduce((sum, pid) => sum + (readCpuSeconds(pid) ?? 0), 0);
  let before = total();
  while (Date.now() - start < timeoutMs) {
    await sleep(500);
    const now = total();
    if (now - before < cpuFraction * 0.5) break;
    before = now;
  }
  return Date.now() - start;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
