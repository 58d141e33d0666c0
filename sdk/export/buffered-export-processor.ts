/**
 * The export processor of OTLP mode: batches ended spans (512 a batch, or every second), sends each batch as one
 * OTLP/HTTP body, and never lets a batch go because the endpoint is away: a batch that cannot be sent goes to the
 * disk buffer (memory when the disk is unwritable), and while anything is buffered new batches queue behind it, so
 * the endpoint receives them in order when it is back. In the process's 'exit' event, where nothing async runs
 * (the app's own handler calling process.exit(), an uncaught exception), what is still queued or in flight is
 * written to the buffer synchronously, for a detached sender or the next start to send.
 */
import { diag, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { activityCounters } from '../runtime/activity-stats';
import type { BufferedBatch, DiskBuffer } from './disk-buffer';
import type { SendOutcome } from './otlp-request';
import type { SpanBatcher } from './span-batchers';

export interface BufferedExportOptions {
  /** Holds ended spans (encoded or not) and hands them out as batches; sized to maxBatchSize. */
  readonly batcher: SpanBatcher;
  readonly send: (body: Uint8Array) => Promise<SendOutcome>;
  /** Undefined: memory only (bounded by memoryMaxBytes). */
  readonly buffer: DiskBuffer | undefined;
  /** Called once in 'exit' after batches were written to the disk buffer (starts the detached sender). */
  readonly onExitBuffered?: () => void;
  readonly delayMs?: number;
  /** Ended spans waiting to be encoded, at most; past it they are dropped and counted. */
  readonly maxQueueSize?: number;
  /** Encoded batches kept in memory when there is no disk buffer. */
  readonly memoryMaxBytes?: number;
  /** First and longest wait before the endpoint is tried again after a failure. */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
}

interface MemoryBatch {
  readonly body: Uint8Array;
  readonly spans: number;
}

export class BufferedExportProcessor implements SpanProcessor {
  private readonly batcher: SpanBatcher;
  private readonly inflight = new Set<MemoryBatch>();
  private readonly memory: MemoryBatch[] = [];
  private memoryBytes = 0;
  /** A claimed disk batch being sent (its file, and the batch in flight), given back if the process exits meanwhile. */
  private claimed: { readonly file: BufferedBatch; readonly batch: MemoryBatch } | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The pending timer is a 0 ms one (a full batch waits). */
  private timerImmediate = false;
  private pumping: Promise<void> | undefined;
  /** While the endpoint is failing: the time of the next attempt, and the wait after that. */
  private retryAt = 0;
  private retryDelay: number;
  private warnedDown = false;
  private warnedDrop = false;
  private exited = false;
  /** forceFlush() calls in progress: while failing, they move even a partial batch to the buffer. */
  private flushing = 0;
  private readonly maxBatchSize: number;
  private readonly delayMs: number;
  private readonly maxQueueSize: number;
  private readonly memoryMaxBytes: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly onExit = (): void => this.handOff();

  constructor(private readonly options: BufferedExportOptions) {
    this.batcher = options.batcher;
    // A full batch is sent without waiting for the delay.
    this.maxBatchSize = options.batcher.maxBatchSize;
    this.delayMs = options.delayMs ?? 1000;
    this.maxQueueSize = options.maxQueueSize ?? 16_384;
    this.memoryMaxBytes = options.memoryMaxBytes ?? 32 * 1024 * 1024;
    this.retryInitialMs = options.retryInitialMs ?? 1000;
    this.retryMaxMs = options.retryMaxMs ?? 15_000;
    this.retryDelay = this.retryInitialMs;
    process.on('exit', this.onExit);
    // What an earlier run of this service left behind goes out first.
    if ((options.buffer?.pending ?? 0) > 0) this.schedule(0);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.batcher.size >= this.maxQueueSize) {
      this.drop(1, 'the export queue is full');
      return;
    }
    try {
      this.batcher.add(span);
    } catch (error) {
      this.dropUnencodable(1, error);
      return;
    }
    // A pump in progress takes a full batch before it returns; only the delay timer is needed then (in case it
    // returned just before this span). Re-arming a 0 ms timer per span while a send was in flight was ~1% of a
    // hello-world request's CPU (profile in bench/RESULTS.md).
    if (this.batcher.size >= this.maxBatchSize && this.pumping === undefined) this.schedule(0);
    else this.schedule(this.delayMs);
  }

  /** Sends everything queued; resolves when it is sent or buffered (not when a buffered batch reaches the endpoint). */
  async forceFlush(): Promise<void> {
    this.flushing++;
    try {
      // One attempt now, even while backing off; a pump already running may predate the last spans, hence twice.
      this.retryAt = 0;
      await this.pump();
      if (this.batcher.size > 0) await this.pump();
    } finally {
      this.flushing--;
    }
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    clearTimeout(this.timer);
    process.removeListener('exit', this.onExit);
  }

  private schedule(delayMs: number): void {
    if (this.exited) return;
    if (this.timer !== undefined) {
      if (delayMs > 0 || this.timerImmediate) return;
      clearTimeout(this.timer);
    }
    this.timerImmediate = delayMs === 0;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerImmediate = false;
      void this.pump();
    }, delayMs);
    this.timer.unref();
  }

  private pump(): Promise<void> {
    this.pumping ??= this.run().finally(() => {
      this.pumping = undefined;
    });
    return this.pumping;
  }

  private hasBacklog(): boolean {
    return this.memory.length > 0 || (this.options.buffer?.pending ?? 0) > 0;
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        if (this.exited) return;
        if (Date.now() < this.retryAt) {
          // The endpoint is failing: memory stays bounded by moving whole batches (all, when flushing) to the buffer.
          while (this.batcher.size >= (this.flushing > 0 ? 1 : this.maxBatchSize)) {
            const batch = this.encodeNext();
            if (batch !== undefined) await this.keep(batch);
          }
          this.schedule(Math.max(1, this.retryAt - Date.now()));
          return;
        }
        if (this.hasBacklog()) {
          await this.sendOldestBuffered();
          continue;
        }
        if (this.batcher.size === 0) return;
        const batch = this.encodeNext();
        if (batch !== undefined) {
          if (!(await this.sendBatch(batch))) {
            await this.keep(batch);
            continue;
          }
          this.batcher.release(batch.body);
        }
        // Spans that ended during the send wait for their own timer (onEnd set it) unless a full batch is ready:
        // draining them at once sent a few-span batch per round trip under load, each paying the whole encode
        // and POST (measured with bench/request-instructions.ts).
        if (this.batcher.size < this.maxBatchSize && this.flushing === 0) return;
      }
    } catch (error) {
      diag.error('otel-activity: span export failed unexpectedly', error);
    }
  }

  private encodeNext(): MemoryBatch | undefined {
    const waiting = this.batcher.size;
    try {
      return this.batcher.take();
    } catch (error) {
      this.dropUnencodable(waiting - this.batcher.size, error);
      return undefined;
    }
  }

  private dropUnencodable(spans: number, error: unknown): void {
    diag.error('otel-activity: could not encode spans', error);
    this.drop(spans, 'they could not be encoded');
  }

  /** True when the batch is done with (sent or refused for good); false when it must be kept for later. */
  private async sendBatch(batch: MemoryBatch): Promise<boolean> {
    this.inflight.add(batch);
    let outcome: SendOutcome;
    try {
      outcome = await this.options.send(batch.body);
    } finally {
      this.inflight.delete(batch);
    }
    if (outcome === 'retry') {
      this.failed();
      return false;
    }
    this.recovered();
    if (outcome === 'sent') activityCounters().sent += batch.spans;
    else {
      activityCounters().rejected += batch.spans;
      diag.error(`otel-activity: the OTLP endpoint refused ${batch.spans} spans for good (not a 429/502/503/504); they are dropped`);
    }
    return true;
  }

  /** Sends the oldest buffered batch; false when the endpoint is still failing. */
  private async sendOldestBuffered(): Promise<boolean> {
    const inMemory = this.memory[0];
    if (inMemory !== undefined) {
      if (!(await this.sendBatch(inMemory))) return false;
      this.memory.shift();
      this.memoryBytes -= inMemory.body.byteLength;
      this.batcher.release(inMemory.body);
      return true;
    }
    const buffer = this.options.buffer;
    if (buffer === undefined) return true;
    const claimed = await buffer.claimOldest();
    if (claimed === undefined) return true;
    const batch: MemoryBatch = { body: claimed.body, spans: claimed.spans };
    this.claimed = { file: claimed, batch };
    try {
      const done = await this.sendBatch(batch);
      if (done) await buffer.done(claimed);
      else await buffer.release(claimed);
      return done;
    } finally {
      this.claimed = undefined;
    }
  }

  private async keep(batch: MemoryBatch): Promise<void> {
    const buffer = this.options.buffer;
    if (buffer !== undefined && (await buffer.write(batch.body, batch.spans))) {
      activityCounters().buffered += batch.spans;
      this.batcher.release(batch.body);
      return;
    }
    if (this.memoryBytes + batch.body.byteLength <= this.memoryMaxBytes) {
      this.memory.push(batch);
      this.memoryBytes += batch.body.byteLength;
      activityCounters().buffered += batch.spans;
      return;
    }
    this.drop(batch.spans, 'the buffer of unsent spans is full');
    this.batcher.release(batch.body);
  }

  private failed(): void {
    this.retryAt = Date.now() + this.retryDelay * (0.5 + Math.random() / 2);
    this.retryDelay = Math.min(this.retryMaxMs, this.retryDelay * 2);
    if (!this.warnedDown) {
      this.warnedDown = true;
      diag.warn('otel-activity: the OTLP endpoint is not answering; spans are kept in the buffer and sent when it is back (warned once)');
    }
  }

  private recovered(): void {
    this.retryAt = 0;
    this.retryDelay = this.retryInitialMs;
  }

  private drop(spans: number, why: string): void {
    activityCounters().bufferDropped += spans;
    if (!this.warnedDrop) {
      this.warnedDrop = true;
      diag.warn(`otel-activity: dropped spans because ${why}; getActivityStats().bufferDropped counts them (warned once)`);
    }
  }

  /**
   * The process is ending (its 'exit' event, or a signal about to be re-raised, which emits no 'exit'): writes what is
   * queued or in flight to the buffer, synchronously, and starts the detached sender when anything waits there.
   * In-flight batches are written too: they may have arrived, and the service stores a span id once.
   */
  handOff(): void {
    if (this.exited) return;
    this.exited = true;
    clearTimeout(this.timer);
    // A memory batch being sent is in both lists; a claimed disk batch goes back to its own file, not a second one.
    const batches = new Set<MemoryBatch>([...this.memory, ...this.inflight]);
    const buffer = this.options.buffer;
    if (this.claimed !== undefined) {
      batches.delete(this.claimed.batch);
      buffer?.releaseSync(this.claimed.file);
    }
    while (this.batcher.size > 0) {
      const batch = this.encodeNext();
      if (batch !== undefined) batches.add(batch);
    }
    let written = 0;
    for (const batch of batches) {
      if (buffer !== undefined && buffer.writeSync(batch.body, batch.spans)) {
        activityCounters().bufferedAtExit += batch.spans;
        written++;
      } else {
        activityCounters().bufferDropped += batch.spans;
      }
    }
    if (written > 0 || (buffer?.pending ?? 0) > 0) this.options.onExitBuffered?.();
  }
}
