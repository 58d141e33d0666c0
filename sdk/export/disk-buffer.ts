/**
 * The app's on-disk buffer of encoded OTLP batches it could not send yet: one file per batch, named so that a
 * directory listing is the send order; a sender claims a file by renaming it (atomic), so several processes of one
 * service (cluster workers, a detached exit sender, the next start) can share the directory and none sends a file
 * twice. Bounded in bytes; writes are async while running and synchronous only in the process's 'exit' event.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const CLAIM = '.claimed-';

export interface BufferedBatch {
  /** The claimed file: pass to `done()` once sent, or `release()` to give it back. */
  readonly file: string;
  readonly body: Buffer;
  /** Spans in the batch, from its file name. */
  readonly spans: number;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class DiskBuffer {
  private bytes = 0;
  private files = 0;
  private sequence = 0;

  private constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly extension: string,
  ) {}

  /** Undefined when the directory cannot be created or written (a read-only container): the caller keeps memory only. */
  static open(dir: string, maxBytes: number, extension: string): { buffer?: DiskBuffer; problem?: string } {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.accessSync(dir, fs.constants.W_OK);
    } catch (error) {
      return { problem: `cannot use ${dir} for unsent spans (${(error as Error).message}); keeping them in memory only` };
    }
    const buffer = new DiskBuffer(dir, maxBytes, extension);
    buffer.recover();
    return { buffer };
  }

  /** Gives back files claimed by processes that died while sending them, and counts what is there. */
  private recover(): void {
    for (const name of this.names()) {
      const claim = name.indexOf(CLAIM);
      if (claim !== -1 && !isAlive(Number(name.slice(claim + CLAIM.length)))) {
        try {
          fs.renameSync(path.join(this.dir, name), path.join(this.dir, name.slice(0, claim)));
        } catch {
          // another process recovered it first
        }
      }
    }
    this.refreshCount();
  }

  private names(): string[] {
    try {
      return fs.readdirSync(this.dir).filter((n) => n.endsWith(this.extension) || n.includes(`${this.extension}${CLAIM}`)).sort();
    } catch {
      return [];
    }
  }

  private refreshCount(): void {
    let bytes = 0;
    let files = 0;
    for (const name of this.names()) {
      try {
        bytes += fs.statSync(path.join(this.dir, name)).size;
        files++;
      } catch {
        // sent and removed meanwhile
      }
    }
    this.bytes = bytes;
    this.files = files;
  }

  /** Batches waiting (this process's view; other processes may add or take some). */
  get pending(): number {
    return this.files;
  }

  private nextName(spans: number): string {
    return `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(this.sequence++).padStart(8, '0')}-n${spans}${this.extension}`;
  }

  /** False when the buffer is full. */
  async write(body: Uint8Array, spans: number): Promise<boolean> {
    if (this.bytes + body.byteLength > this.maxBytes) return false;
    const name = this.nextName(spans);
    const temp = path.join(this.dir, `.${name}.tmp`);
    this.bytes += body.byteLength;
    this.files++;
    try {
      await fs.promises.writeFile(temp, body, { mode: 0o600 });
      await fs.promises.rename(temp, path.join(this.dir, name));
      return true;
    } catch {
      this.bytes -= body.byteLength;
      this.files--;
      return false;
    }
  }

  /** For the 'exit' event, where nothing async runs. */
  writeSync(body: Uint8Array, spans: number): boolean {
    if (this.bytes + body.byteLength > this.maxBytes) return false;
    const name = this.nextName(spans);
    const temp = path.join(this.dir, `.${name}.tmp`);
    try {
      fs.writeFileSync(temp, body, { mode: 0o600 });
      fs.renameSync(temp, path.join(this.dir, name));
    } catch {
      return false;
    }
    this.bytes += body.byteLength;
    this.files++;
    return true;
  }

  /** Claims the oldest unclaimed batch, or undefined when there is none. */
  async claimOldest(): Promise<BufferedBatch | undefined> {
    let names: string[];
    try {
      names = (await fs.promises.readdir(this.dir)).filter((n) => n.endsWith(this.extension)).sort();
    } catch {
      return undefined;
    }
    if (names.length === 0) {
      this.refreshCount();
      return undefined;
    }
    for (const name of names) {
      const file = path.join(this.dir, `${name}${CLAIM}${process.pid}`);
      try {
        await fs.promises.rename(path.join(this.dir, name), file);
        const count = /-n(\d+)\./.exec(name);
        return { file, body: await fs.promises.readFile(file), spans: count === null ? 0 : Number(count[1]) };
      } catch {
        // claimed by another process between the listing and the rename
      }
    }
    // Everything listed is being sent by other processes: nothing for this one to do until it writes again.
    this.files = 0;
    return undefined;
  }

  async done(batch: BufferedBatch): Promise<void> {
    await fs.promises.rm(batch.file, { force: true });
    this.bytes = Math.max(0, this.bytes - batch.body.byteLength);
    this.files = Math.max(0, this.files - 1);
  }

  async release(batch: BufferedBatch): Promise<void> {
    try {
      await fs.promises.rename(batch.file, batch.file.slice(0, batch.file.lastIndexOf(CLAIM)));
    } catch {
      // gone: nothing to give back
    }
  }

  /** Sync twin of release(), for a claim still held when the process exits. */
  releaseSync(batch: BufferedBatch): void {
    try {
      fs.renameSync(batch.file, batch.file.slice(0, batch.file.lastIndexOf(CLAIM)));
      this.files++;
    } catch {
      // gone
    }
  }
}

/** `${tmpdir}/otel-activity/<service>`: per service, so its processes share one buffer and other apps' stay apart. */
export function defaultBufferDir(tmpdir: string, serviceName: string): string {
  const safe = serviceName.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'unknown_service';
  return path.join(tmpdir, 'otel-activity', safe);
}
