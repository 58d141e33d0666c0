/**
 * In-memory row queue in the manner of OTel's BatchSpanProcessorBase: per-table buffers, a hybrid flush (N rows or T ms,
 * whichever first), one INSERT per table per batch, and caps on rows and bytes. Past a cap the least valuable rows go
 * first (each table's dropPriority in table-registry.ts) and every drop is counted per table.
 */
import { randomBytes } from 'node:crypto';
import { DROP_PRIORITY, TABLE_NAMES, type TableName } from '../rows/table-registry';
import { BatchWriter, type Batch, type WriteOutcome } from './batch-writer';
import { countDrop, type PipelineStats } from './pipeline-stats';
import { approxRowBytes } from './row-size';

/** A row and the table it goes to (the shape of spanToRow's RoutedRow). */
export interface QueuedRow {
  readonly table: TableName;
  readonly row: object;
}

export interface BatchQueueOptions {
  /** Flush a table's buffer at this many rows … */
  readonly flushCount: number;
  /** … or this long after its first row arrived. */
  readonly flushIntervalMs: number;
  /** Cap on rows held in memory, buffered plus in flight. */
  readonly maxQueueRows: number;
  /** Cap on approximate bytes held in memory. */
  readonly maxQueueBytes: number;
  /**
   * Longest an offerDurable() caller waits before its rows are cut into a batch (the group-commit window); default
   * 100 ms. Shorter than flushIntervalMs because a sender is waiting for the answer.
   */
  readonly durableFlushMs?: number;
}

interface Buffer {
  rows: object[];
  sizes: number[];
  bytes: number;
  /** Callers of offerDurable() whose rows sit in this buffer, with where their rows are in it. */
  commits: BufferedCommit[];
}

/** A commit's rows in one table's buffer: rows[start, end), as offsets into the buffer now. */
interface BufferedCommit {
  readonly commit: Commit;
  start: number;
  end: number;
}

/**
 * One offerDurable() call waiting for its rows: `pending` counts its tables not yet cut into batches plus its batches
 * not yet written; at 0 it resolves with whether every row was inserted or spooled (group commit).
 */
interface Commit {
  pending: number;
  durable: boolean;
  resolve: (durable: boolean) => void;
}

export type OfferResult = 'accepted' | 'full';

export class BatchQueue {
  private readonly options: BatchQueueOptions;
  private readonly writer: BatchWriter;
  private readonly stats: PipelineStats;
  private readonly buffers = new Map<TableName, Buffer>(TABLE_NAMES.map((t) => [t, { rows: [], sizes: [], bytes: 0, commits: [] }]));
  /** One delivery chain per table: batches of a table go out in order, tables in parallel. */
  private readonly chains = new Map<TableName, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  /** Set while a timed cut waits for the inserts in flight when it came due (see flushWhenIdle). */
  private waitingForInFlight = false;
  /** Set while offerDurable() pushes, so a count-triggered cut cannot split its rows from its commit. */
  private holdCountFlush = false;
  /** Random per process, plus a counter: unique across processes sharing a server and stable for the batch's lifetime. */
  private readonly tokenPrefix = randomBytes(8).toString('hex');
  private batchSeq = 0;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: BatchQueueOptions, writer: BatchWriter, stats: PipelineStats) {
    this.options = options;
    this.writer = writer;
    this.stats = stats;
  }

  get isShutdown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  /** True when `rows` more rows (of about `bytes` bytes) fit under both caps now. */
  hasCapacity(rows: number, bytes = 0): boolean {
    return this.stats.queueRows + rows <= this.options.maxQueueRows && this.stats.queueBytes + bytes <= this.options.maxQueueBytes;
  }

  /**
   * All or nothing, for callers that can push back (the OTLP service answers 429/503): 'full' enqueues none of them.
   * After shutdown it is always 'full'.
   */
  offer(rows: ReadonlyArray<QueuedRow>): OfferResult {
    if (this.isShutdown) return 'full';
    const sizes = rows.map((r) => approxRowBytes(r.row));
    const bytes = sizes.reduce((a, b) => a + b, 0);
    if (!this.hasCapacity(rows.length, bytes)) return 'full';
    rows.forEach((r, i) => this.push(r.table, r.row, sizes[i]!));
    return 'accepted';
  }

  /**
   * Like offer(), then waits until every row is durable: inserted into ClickHouse, or written to the spool. Resolves
   * true when all were, false when some were dropped (spool full or unwritable, rows rejected by the server). For a
   * service that must not acknowledge what a crash could lose.
   */
  offerDurable(rows: ReadonlyArray<QueuedRow>): Promise<boolean> | 'full' {
    if (rows.length === 0) return Promise.resolve(true);
    const perTable = new Map<TableName, number>();
    for (const { table } of rows) perTable.set(table, (perTable.get(table) ?? 0) + 1);
    this.holdCountFlush = true;
    let result: OfferResult;
    try {
      result = this.offer(rows);
    } finally {
      this.holdCountFlush = false;
    }
    if (result === 'full') return 'full';
    return new Promise<boolean>((resolve) => {
      const commit: Commit = { pending: perTable.size, durable: true, resolve };
      for (const [table, count] of perTable) {
        const buffer = this.buffers.get(table)!;
        // Its rows were just pushed: they are the buffer's tail.
        buffer.commits.push({ commit, start: buffer.rows.length - count, end: buffer.rows.length });
      }
      for (const table of perTable.keys()) {
        if (this.buffers.get(table)!.rows.length >= this.options.flushCount) this.flushTable(table, 'whole');
      }
      this.startTimer(this.options.durableFlushMs ?? 100);
      // Someone awaits these rows: unlike the idle flush timer, this one must keep the process alive until it fires.
      this.timer?.ref();
    });
  }

  /** Enqueues every row it can, evicting lower-priority rows to make room; returns how many of `rows` were kept. */
  enqueue(rows: ReadonlyArray<QueuedRow>): number {
    let kept = 0;
    for (const { table, row } of rows) {
      if (this.isShutdown) {
        countDrop(this.stats, table, 'queue_full', 1);
        continue;
      }
      const size = approxRowBytes(row);
      if (this.makeRoom(table, size)) {
        this.push(table, row, size);
        kept++;
      } else {
        countDrop(this.stats, table, 'queue_full', 1);
      }
    }
    return kept;
  }

  /** Sends everything buffered and waits for every batch in flight (delivered, spooled or dropped). Safe at any time. */
  async forceFlush(): Promise<void> {
    this.flushAll();
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Drains everything and stops timers; idempotent, every call returns the same promise. */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      // First stop the retry waits: at shutdown a batch gets one attempt, then the spool (durable, replayed on next
      // start) rather than holding the process for a whole backoff deadline.
      await this.writer.stop();
      await this.forceFlush();
      await this.writer.drainSpool();
      this.clearTimer();
    })();
    return this.shutdownPromise;
  }

  /** Evicts queued rows of strictly lower priority until `size` more bytes and one more row fit; false if they cannot. */
  private makeRoom(table: TableName, size: number): boolean {
    while (!this.hasCapacity(1, size)) {
      const victim = this.lowestNonEmptyBelow(DROP_PRIORITY[table]);
      if (!victim) return false;
      const buffer = this.buffers.get(victim)!;
      // Drop the newest: the oldest rows are closest to being flushed and were accepted first.
      buffer.rows.pop();
      // The evicted row may belong to a durable offer: it can no longer promise durability.
      for (const { commit } of buffer.commits) commit.durable = false;
      const dropped = buffer.sizes.pop()!;
      buffer.bytes -= dropped;
      this.stats.queueRows--;
      this.stats.queueBytes -= dropped;
      countDrop(this.stats, victim, 'queue_full', 1);
    }
    return true;
  }

  private lowestNonEmptyBelow(priority: number): TableName | undefined {
    let best: TableName | undefined;
    for (const [table, buffer] of this.buffers) {
      if (buffer.rows.length === 0 || DROP_PRIORITY[table] >= priority) continue;
      if (!best || DROP_PRIORITY[table] < DROP_PRIORITY[best]) best = table;
    }
    return best;
  }

  private push(table: TableName, row: object, size: number): void {
    const buffer = this.buffers.get(table)!;
    buffer.rows.push(row);
    buffer.sizes.push(size);
    buffer.bytes += size;
    this.stats.queueRows++;
    this.stats.queueBytes += size;
    if (buffer.rows.length >= this.options.flushCount && !this.holdCountFlush) this.flushTable(table, 'whole');
    else this.startTimer(this.options.flushIntervalMs);
  }

  /** Arms the flush timer for `delayMs` from now, unless it already fires sooner. */
  private startTimer(delayMs: number): void {
    const due = Date.now() + delayMs;
    if (this.timer && this.timerDue <= due) return;
    this.clearTimer();
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushWhenIdle();
    }, delayMs);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flushAll(): void {
    this.clearTimer();
    for (const table of TABLE_NAMES) this.flushTable(table, 'all');
  }

  /**
   * The timed cut. Every insert has a fixed cost in the engine (its parts, projections and views: 30-110 ms measured,
   * bench/RESULTS.md), so while inserts are in flight the cut waits for them and takes whatever arrived meanwhile,
   * in one batch per table instead of one per timer tick: under load the batches grow with the load, and the
   * requests waiting on them were waiting for those inserts anyway. Bounded: only the inserts in flight now are
   * waited for, not ones cut after.
   */
  private flushWhenIdle(): void {
    this.clearTimer();
    if (this.inFlight.size === 0) return this.flushAll();
    if (this.waitingForInFlight) return;
    this.waitingForInFlight = true;
    void Promise.allSettled([...this.inFlight]).then(() => {
      this.waitingForInFlight = false;
      this.flushAll();
    });
  }

  /**
   * Cuts the table's buffer into batches of at most flushCount rows and chains them for delivery: 'all' of it, or
   * only 'whole' batches of flushCount, leaving the rest to grow (a count-triggered cut would otherwise send a
   * request's overflow past flushCount as a batch of its own).
   */
  private flushTable(table: TableName, what: 'all' | 'whole'): void {
    const buffer = this.buffers.get(table)!;
    const total = buffer.rows.length;
    const cut = what === 'all' ? total : total - (total % this.options.flushCount);
    const batchCount = Math.ceil(cut / this.options.flushCount);
    const commits: Commit[] = [];
    const staying: BufferedCommit[] = [];
    for (const entry of buffer.commits) {
      // Rows evicted since the offer shortened the buffer: what is past its end is gone.
      const end = Math.min(entry.end, total);
      const inCut = entry.start < cut;
      const inRest = end > cut;
      // The commit trades its "table not cut yet" token for one per batch its rows may be in, plus one for the rest
      // when some stay; with no rows left (all evicted, the commit already marked not durable) the table is done for it.
      const tokens = (inCut ? batchCount : 0) + (inRest ? 1 : 0);
      if (tokens === 0) {
        settle(entry.commit, true);
        continue;
      }
      entry.commit.pending += tokens - 1;
      if (inCut) commits.push(entry.commit);
      if (inRest) staying.push({ commit: entry.commit, start: Math.max(0, entry.start - cut), end: end - cut });
    }
    buffer.commits = staying;
    let left = cut;
    while (left > 0) {
      const take = Math.min(left, this.options.flushCount);
      left -= take;
      const rows = buffer.rows.splice(0, take);
      const sizes = buffer.sizes.splice(0, take);
      const bytes = sizes.reduce((a, b) => a + b, 0);
      buffer.bytes -= bytes;
      const batch: Batch = { table, rows, bytes, dedupToken: `${this.tokenPrefix}-${++this.batchSeq}-${table}` };
      this.deliver(batch, commits);
    }
  }

  private deliver(batch: Batch, commits: readonly Commit[]): void {
    const table = batch.table as TableName;
    const previous = this.chains.get(table) ?? Promise.resolve();
    const next = previous
      .then(() => this.writer.write(batch))
      .catch((): WriteOutcome => 'dropped') // write() never throws; this keeps a surprise from breaking the chain.
      .then((outcome) => {
        for (const commit of commits) settle(commit, outcome !== 'dropped');
      })
      .finally(() => {
        this.stats.queueRows -= batch.rows.length;
        this.stats.queueBytes -= batch.bytes;
        this.inFlight.delete(next);
        if (this.chains.get(table) === next) this.chains.delete(table);
      });
    this.chains.set(table, next);
    this.inFlight.add(next);
  }
}

/** One of the commit's batches (or its emptied table) is done; resolves the caller when it was the last. */
function settle(commit: Commit, durable: boolean): void {
  commit.durable &&= durable;
  commit.pending--;
  if (commit.pending === 0) commit.resolve(commit.durable);
}
