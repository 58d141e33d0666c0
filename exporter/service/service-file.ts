/**
 * `${dataDir}/../service.json` (mode 0600): tells the CLI which process owns the chDB directory and how to reach it
 * ({pid, url, adminToken}); written on start, removed on shutdown.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ServiceFileContent {
  readonly pid: number;
  readonly url: string;
  readonly adminToken: string;
}

export function serviceFilePath(dataDir: string): string {
  return path.join(path.resolve(dataDir), '..', 'service.json');
}

export function writeServiceFile(dataDir: string, content: ServiceFileContent): string {
  const file = serviceFilePath(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  // chmod too: writeFileSync's mode applies only when it creates the file, and the umask may widen nothing but narrow it.
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
  return file;
}

/** Removes the file only if it still names this process (a newer service may have replaced it). */
export function removeServiceFile(dataDir: string, pid: number): void {
  const file = serviceFilePath(dataDir);
  try {
    const content = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ServiceFileContent>;
    if (content.pid === pid) fs.rmSync(file, { force: true });
  } catch {
    // Already gone or unreadable: nothing of ours to remove.
  }
}
