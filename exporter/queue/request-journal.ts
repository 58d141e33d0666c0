/**
 * Write-ahead journal for acknowledging a request before its insert (service.ackAfter = 'journal'): a request's rows
 * are fsync'd in one file, the sender is answered, and the file is deleted once the rows are inserted or spooled.
 * Files a crash left behind become spool batches at the next start, so an acknowledged row is never lost.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diag } from '@opentelemetry/api';
import type { QueuedRow } from './batch-queue';
import type { PipelineStats } from './pipeline-stats';
import { syncDir as syncDirectory, type Spool } from './spool';

/** Inside the spool directory: the spool reads only its own top-level *.ndjson files. */
export const JOURNAL_DIR = 'journal';
const SUFFIX = '.ndjson';

interface JournalHeader {
  readonly v: 1;
  readonly rows: number;
}

interface JournalLine {
  readonly table: string;
  readonly row: object;
}

export class RequestJournal {
  readonly dir: string;
  private opened: Promise<boolean> | undefined;
  private seq = 0;
  /** Writes and deletions under way: drain() waits for both so a clean stop leaves no file behind. */
  private readonly busy = new Set<Promise<unknown>>();
  private dirSync: Promise<void> | undefined;
  private nextDirSync: Promise<void> | undefined;
  private lastErrorCode = '';
  /** Said once until a request's rows are stored again: the batch writer already logs each drop. */
  private keptSaid = false;

  constructor(
    spoolDir: string,
    /** journalPendingFiles counts the files written and not yet deleted. */
    private readonly stats: PipelineStats,
  ) {
    this.dir = path.join(path.resolve(spoolDir), JOURNAL_DIR);
  }

  /**
   * Writes the rows and fsyncs them (file and directory). Resolves with the file's name, or undefined when the disk
   * refused (said once per kind of failure): the caller then waits for the insert instead. Never throws.
   */
  write(rows: ReadonlyArray<QueuedRow>): Promise<string | undefined> {
    const writing = this.writeFile(rows);
    this.busy.add(writing);
    void writing.finally(() => this.busy.delete(writing));
    return writing;
  }

  /** The rows of `name` are inserted or spooled (durable), or were dropped: then the file stays for the next start. */
  settled(name: string, durable: boolean): void {
    if (!durable) {
      if (!this.keptSaid) diag.error(`otel-activity: rows of acknowledged requests could not be stored now; their files stay in ${this.dir} and are replayed at the next start`);
      this.keptSaid = true;
      return;
    }
    this.keptSaid = false;
    const removing = fs.promises
      .rm(path.join(this.dir, name), { force: true })
      .then(() => {
        this.stats.journalPendingFiles--;
      })
      .catch((error: Error) => diag.error(`otel-activity: cannot delete journal file ${name}: ${error.message}; its rows are replayed at the next start and stored once`));
    this.busy.add(removing);
    void removing.finally(() => this.busy.delete(removing));
  }

  /** Resolves once every write and deletion started so far (and those they lead to) is done. */
  async drain(): Promise<void> {
    while (this.busy.size > 0) {
      await Promise.allSettled([...this.busy]);
      // A settled write's caller attaches its deletion in a later microtask.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Turns the files an earlier process left (acknowledged, not yet stored) into spool batches, which the spool
   * replays like any other. A file cut short by the crash was never acknowledged and is deleted. Returns the rows
   * recovered; their batches may already be stored, so the caller arms the restart check.
   */
  async recover(spool: Spool): Promise<number> {
    let names: string[];
    try {
      names = (await fs.promises.readdir(this.dir)).filter((n) => n.endsWith(SUFFIX)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      diag.error(`otel-activity: cannot read the journal ${this.dir}: ${(error as Error).message}`);
      return 0;
    }
    let recovered = 0;
    for (const name of names) {
      const full = path.join(this.dir, name);
      const byTable = parseJournalFile(await fs.promises.readFile(full, 'utf8'));
      if (byTable === undefined) {
        diag.warn(`otel-activity: journal file ${full} is incomplete (a write the crash cut short, never acknowledged); deleted`);
        await fs.promises.rm(full, { force: true });
        continue;
      }
      let kept = true;
      for (const [table, rows] of byTable) {
        // A token of its own per file and table: replaying the spool batch twice stores it once.
        if (await spool.write({ table, dedupToken: `journal-${name.slice(0, -SUFFIX.length)}-${table}`, rows })) recovered += rows.length;
        else kept = false;
      }
      if (kept) await fs.promises.rm(full, { force: true });
      else diag.error(`otel-activity: journal file ${full} could not be moved to the spool; it stays for the next start`);
    }
    if (recovered > 0) diag.info(`otel-activity: ${recovered} acknowledged rows from ${this.dir} were not stored before the last stop; they are in the spool now`);
    return recovered;
  }

  private async writeFile(rows: ReadonlyArray<QueuedRow>): Promise<string | undefined> {
    if (!(await this.open())) return undefined;
    const header: JournalHeader = { v: 1, rows: rows.length };
    const lines = [JSON.stringify(header)];
    // Table names are identifiers from table-registry.ts: no escaping needed.
    for (const { table, row } of rows) lines.push(`{"table":"${table}","row":${JSON.stringify(row)}}`);
    const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${++this.seq}${SUFFIX}`;
    const full = path.join(this.dir, name);
    try {
      // Rows hold user ids and addresses: owner-only, like the spool.
      const handle = await fs.promises.open(full, 'wx', 0o600);
      try {
        await handle.writeFile(lines.join('\n') + '\n');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.syncDir();
    } catch (error) {
      await fs.promises.rm(full, { force: true }).catch(() => undefined);
      this.reportOnce(error as NodeJS.ErrnoException, `cannot write the journal file ${full}`);
      return undefined;
    }
    this.stats.journalPendingFiles++;
    this.lastErrorCode = '';
    return name;
  }

  private open(): Promise<boolean> {
    this.opened ??= fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 }).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        this.reportOnce(error, `cannot create the journal directory ${this.dir}`);
        // Tried again on the next write: a directory made writable later is used.
        this.opened = undefined;
        return false;
      },
    );
    return this.opened;
  }

  /**
   * fsync of the directory, so a new file's name survives a power cut too. Writes finishing together share one: a
   * sync started before a file existed does not cover it, so such a write waits for the next one.
   */
  private syncDir(): Promise<void> {
    if (this.dirSync === undefined) {
      this.dirSync = syncDirectory(this.dir).finally(() => {
        this.dirSync = undefined;
      });
      return this.dirSync;
    }
    this.nextDirSync ??= this.dirSync.then(() => {
      this.nextDirSync = undefined;
      return this.syncDir();
    });
    return this.nextDirSync;
  }

  private reportOnce(error: NodeJS.ErrnoException, what: string): void {
    const code = error.code ?? 'EUNKNOWN';
    if (code === this.lastErrorCode) return;
    this.lastErrorCode = code;
    diag.error(`otel-activity: ${what} (${code}: ${error.message}); requests are answered once their rows are inserted instead`);
  }
}

/** Rows by table, or undefined when the file is not whole (header missing, a line cut, fewer rows than announced). */
function parseJournalFile(text: string): Map<string, object[]> | undefined {
  const lines = text.split('\n');
  if (lines.pop() !== '') return undefined;
  try {
    const header = JSON.parse(lines[0] ?? '') as JournalHeader;
    if (header.v !== 1 || header.rows !== lines.length - 1) return undefined;
    const byTable = new Map<string, object[]>();
    for (let i = 1; i < lines.length; i++) {
      const { table, row } = JSON.parse(lines[i]!) as JournalLine;
      let list = byTable.get(table);
      if (!list) byTable.set(table, (list = []));
      list.push(row);
    }
    return byTable;
  } catch {
    return undefined;
  }
}
