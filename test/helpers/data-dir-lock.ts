/**
 * Makes the embedded engine unavailable for real: a separate process opens the chDB data directory and holds its
 * lock, so the service's inserts fail exactly as when someone else owns the directory; release() ends that process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from './built-paths';

const HOLDER = `
const { Session } = require('chdb');
const session = new Session(process.argv[1]);
process.stdout.write('LOCKED\\n');
setInterval(() => undefined, 1 << 30);
`;

export interface DataDirLock {
  readonly pid: number | undefined;
  /** SIGKILL the holder; resolves once it is gone (the kernel drops its lock with it). */
  release(): Promise<void>;
}

export async function holdDataDir(dataDir: string): Promise<DataDirLock> {
  const child: ChildProcess = spawn(process.execPath, ['-e', HOLDER, dataDir], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('LOCKED')) resolve();
    });
    child.stderr?.on('data', (c: Buffer) => (text += c.toString()));
    void exited.then(() => reject(new Error(`lock holder exited: ${text}`)));
  });
  return {
    pid: child.pid,
    async release() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
