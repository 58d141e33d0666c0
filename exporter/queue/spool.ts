/**
 * On-disk spool for batches the sink could not take: one NDJSON file per batch (a header line, then one row per line),
 * written atomically (tmp + fsync + rename) and named so that name order is write order, across restarts too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diag } from '@opentelemetry/api';
import { countDrop, type PipelineStats } from './pipeline-stats';
import { expireRejectedBatches } from './rejected-batches';

export interface SpooledBatch {
  readonly table: string;
  /** The batch's insert dedup token, kept so a replay is idempotent with the attempts before it. */
  readonly dedupToken: string;
  readonly rows: ReadonlyArray<object>;
}

export interface SpoolOptions {
  readonly dir: string;
  /** Cap on the bytes the spool holds; a batch that would pass it is dropped and counted. */
  readonly maxBytes: number;
  /** rejected/ batches older than this are deleted when the spool opens (the raw tables' retention). */
  readonly rejectedTtlDays?: number;
}

/** spoolDir from config; '' (not resolved by loadConfig) means beside the data directory, never inside chDB's own. */
export function spoolDirOf(config: { readonly spoolDir: string; readonly dataDir: string }): string {
  return config.spoolDir || path.join(config.dataDir, '..', 'spool');
}

interface SpoolHeader {
  readonly v: 1;
  readonly table: string;
  readonly dedupToken: string;
  readonly rows: number;
}

interface SpoolEntry {
  readonly name: string;
  readonly bytes: number;
}

const SUFFIX = '.ndjson';
/** Fixed-width sequence so lexical order is numeric order: 16 digits hold Date.now()·1000 until the year 2286. */
const SEQ_WIDTH = 16;
const REJECTED_DIR = 'rejected';

export class Spool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly stats: PipelineStats;
  private entries: SpoolEntry[] = [];
  private bytes = 0;
  private lastSeq = 0;
  private opened: Promise<boolean> | undefined;
  private lastErrorCode = '';

  private readonly rejectedTtlDays: number | undefined;

  constructor(options: SpoolOptions, stats: PipelineStats) {
    this.dir = path.resolve(options.dir);
    this.maxBytes = options.maxBytes;
    this.rejectedTtlDays = options.rejectedTtlDays;
    this.stats = stats;
  }

  /** Creates the directory and indexes batches left by an earlier process. False (logged) when the directory is unusable. */
  open(): Promise<boolean> {
    this.opened ??= this.scan();
    return this.opened;
  }

  get pendingBatches(): number {
    return this.entries.length;
  }

  get pendingBytes(): number {
    return this.bytes;
  }

  /** Writes a batch durably. False when it was dropped (spool full, or the disk refused); the drop is counted. Never throws. */
  async write(batch: SpooledBatch): Promise<boolean> {
    if (!(await this.open())) {
      countDrop(this.stats, batch.table, 'spool_error', batch.rows.length);
      return false;
    }
    const header: SpoolHeader = { v: 1, table: batch.table, dedupToken: batch.dedupToken, rows: batch.rows.length };
    const lines = [JSON.stringify(header)];
    for (const row of batch.rows) lines.push(JSON.stringify(row));
    const text = lines.join('\n') + '\n';
    const bytes = Buffer.byteLength(text);
    if (this.pendingBytes + bytes > this.maxBytes) {
      countDrop(this.stats, batch.table, 'spool_full', batch.rows.length);
      this.reportOnce('SPOOL_FULL', `otel-activity: spool ${this.dir} is full (${this.pendingBytes} of ${this.maxBytes} bytes, OTEL_ACTIVITY_SPOOL_MAX_BYTES); dropping a batch of ${batch.rows.length} ${batch.table} rows`);
      return false;
    }
    // Reserved before the first await, so concurrent writers (one per table) cannot overshoot the cap together.
    this.bytes += bytes;
    this.lastSeq = Math.max(this.lastSeq + 1, Date.now() * 1000);
    const name = `${String(this.lastSeq).padStart(SEQ_WIDTH, '0')}-${safeTable(batch.table)}${SUFFIX}`;
    const finalPath = path.join(this.dir, name);
    const tmpPath = `${finalPath}.tmp`;
    try {
      // Rows hold user ids and addresses: owner-only, like the directory.
      const handle = await fs.promises.open(tmpPath, 'w', 0o600);
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.promises.rename(tmpPath, finalPath);
      await syncDir(this.dir);
    } catch (error) {
      await fs.promises.rm(tmpPath, { force: true }).catch(() => undefined);
      this.bytes -= bytes;
      this.updateGauges();
      countDrop(this.stats, batch.table, 'spool_error', batch.rows.length);
      const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      this.reportOnce(code, `otel-activity: cannot write the spool file ${finalPath} (${code}: ${(error as Error).message}); ${batch.rows.length} ${batch.table} rows dropped. Free disk space or point OTEL_ACTIVITY_SPOOL_DIR at a writable directory.`);
      return false;
    }
    this.entries.push({ name, bytes });
    // Concurrent writes can finish out of order; names carry the order.
    if (this.entries.length > 1 && this.entries[this.entries.length - 2]!.name > name) this.entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    this.lastErrorCode = '';
    this.stats.spooledBatches++;
    this.updateGauges();
    return true;
  }

  /** The oldest batch, read back from disk; a corrupt file is moved aside (and logged) rather than blocking the rest. */
  async oldest(): Promise<{ readonly name: string; readonly batch: SpooledBatch } | undefined> {
    await this.open();
    while (this.entries.length > 0) {
      const { name } = this.entries[0]!;
      try {
        const text = await fs.promises.readFile(path.join(this.dir, name), 'utf8');
        return { name, batch: parseBatch(text) };
      } catch (error) {
        diag.error(`otel-activity: spool file ${path.join(this.dir, name)} is unreadable (${(error as Error).message}); moved to ${REJECTED_DIR}/`);
        await this.reject(name);
      }
    }
    return undefined;
  }

  /** Deletes a replayed batch. */
  async remove(name: string): Promise<void> {
    await fs.promises.rm(path.join(this.dir, name), { force: true }).catch((error: Error) => {
      diag.error(`otel-activity: cannot delete replayed spool file ${name}: ${error.message}`);
    });
    this.forget(name);
  }

  /** Moves a batch the server will never accept to rejected/, kept for a human to inspect. */
  async reject(name: string): Promise<void> {
    try {
      await fs.promises.mkdir(path.join(this.dir, REJECTED_DIR), { recursive: true, mode: 0o700 });
      await fs.promises.rename(path.join(this.dir, name), path.join(this.dir, REJECTED_DIR, name));
    } catch (error) {
      diag.error(`otel-activity: cannot move spool file ${name} to ${REJECTED_DIR}/: ${(error as Error).message}`);
    }
    this.forget(name);
  }

  private forget(name: string): void {
    const index = this.entries.findIndex((e) => e.name === name);
    if (index < 0) return;
    this.bytes -= this.entries[index]!.bytes;
    this.entries.splice(index, 1);
    this.updateGauges();
  }

  private async scan(): Promise<boolean> {
    try {
      await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
      // mkdir's mode only applies to a new directory; one made by an older version (0755) is narrowed too.
      await fs.promises.chmod(this.dir, 0o700);
      const names = (await fs.promises.readdir(this.dir)).sort();
      for (const name of names) {
        const full = path.join(this.dir, name);
        // A .tmp file is a write that never reached its rename: its batch was not acknowledged as spooled.
        if (name.endsWith('.tmp')) {
          await fs.promises.rm(full, { force: true });
          continue;
        }
        if (!name.endsWith(SUFFIX)) continue;
        const stat = await fs.promises.stat(full);
        this.entries.push({ name, bytes: stat.size });
        this.bytes += stat.size;
        const seq = Number(name.slice(0, SEQ_WIDTH));
        if (Number.isFinite(seq)) this.lastSeq = Math.max(this.lastSeq, seq);
      }
      this.updateGauges();
      if (this.rejectedTtlDays !== undefined) {
        const expired = await expireRejectedBatches(this.dir, this.rejectedTtlDays);
        if (expired > 0) diag.info(`otel-activity: deleted ${expired} rejected batches older than ${this.rejectedTtlDays} days from ${this.dir}/rejected`);
      }
      if (this.entries.length > 0) diag.info(`otel-activity: spool ${this.dir} holds ${this.entries.length} batches from before; replaying them when the sink is up`);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      this.reportOnce(code, `otel-activity: the spool directory ${this.dir} is not usable (${code}: ${(error as Error).message}); batches the sink cannot take will be dropped. Set OTEL_ACTIVITY_SPOOL_DIR to a writable directory.`);
      return false;
    }
  }

  private updateGauges(): void {
    this.stats.spoolPendingBatches = this.entries.length;
    this.stats.spoolPendingBytes = this.pendingBytes;
  }

  /** One log line per kind of failure until a write succeeds again, so a full disk does not flood the log. */
  private reportOnce(code: string, message: string): void {
    if (code === this.lastErrorCode) return;
    this.lastErrorCode = code;
    diag.error(message);
  }
}

function parseBatch(text: string): SpooledBatch {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = JSON.parse(lines[0] ?? '') as SpoolHeader;
  if (header.v !== 1 || typeof header.table !== 'string' || typeof header.dedupToken !== 'string') {
    throw new Error('bad header line');
  }
  const rows = lines.slice(1).map((l) => JSON.parse(l) as object);
  if (rows.length !== header.rows) throw new Error(`header says ${header.rows} rows, file has ${rows.length}`);
  return { table: header.table, dedupToken: header.dedupToken, rows };
}

function safeTable(table: string): string {
  return table.replace(/[^A-Za-z0-9_]/g, '_');
}

/** fsync the directory so the rename itself survives a power cut (a no-op where directories cannot be opened). */
export async function syncDir(dir: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(dir, 'r');
    await handle.sync();
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the file itself is already synced.
  } finally {
    await handle?.close();
  }
}
