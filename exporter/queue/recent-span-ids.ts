/**
 * The span ids the service took in lately, so a request sent again (a client that timed out while its first request
 * was still waiting for the commit, an exporter retry) is stored once: ids in flight make a resend wait for the first
 * request's outcome, ids made durable are skipped. Two generations of at most `capacity / 2` ids each bound memory.
 * A clean stop saves them for the next start, so a resend to the next process is caught without an engine lookup.
 * The generations are SpanIdSets (about 20 B per id at the default million, a Set of strings took ~53 B).
 */
import * as fs from 'node:fs';
import { SpanIdSet } from './span-id-set';

export class RecentSpanIds {
  private current = new SpanIdSet();
  private previous = new SpanIdSet();
  /** Ids offered and not yet durable, with the outcome their request will get. */
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(private readonly capacity: number) {}

  /** Ids stored or in flight now (for /metrics). */
  get size(): number {
    return this.current.size + this.previous.size + this.inFlight.size;
  }

  isStored(id: string): boolean {
    return this.current.has(id) || this.previous.has(id);
  }

  /** The outcome an earlier request holding `id` will get, or undefined when none is in flight. */
  pending(id: string): Promise<boolean> | undefined {
    return this.inFlight.get(id);
  }

  /**
   * The spans whose id is neither stored lately, nor in flight in another request, nor earlier in this one, and how
   * many were skipped. Waits for the requests that hold ids in flight; undefined when one of them was not made durable.
   */
  async untaken<S extends { readonly spanId: string }>(spans: ReadonlyArray<S>): Promise<{ fresh: S[]; skipped: number } | undefined> {
    for (;;) {
      const seen = new Set<string>();
      const fresh: S[] = [];
      const waits = new Set<Promise<boolean>>();
      let skipped = 0;
      for (const span of spans) {
        const id = span.spanId;
        if (seen.has(id) || this.isStored(id)) {
          skipped++;
          continue;
        }
        seen.add(id);
        const pending = this.pending(id);
        if (pending) waits.add(pending);
        else fresh.push(span);
      }
      if (waits.size === 0) return { fresh, skipped };
      // Then look again: ids of a durable request are stored now, another request may have taken the rest meanwhile.
      if ((await Promise.all(waits)).includes(false)) return undefined;
    }
  }

  /** Marks `ids` in flight until `outcome` settles; durable ones are then remembered as stored. */
  track(ids: ReadonlyArray<string>, outcome: Promise<boolean>): void {
    for (const id of ids) this.inFlight.set(id, outcome);
    const settle = (durable: boolean): void => {
      for (const id of ids) {
        if (this.inFlight.get(id) === outcome) this.inFlight.delete(id);
        if (durable) this.remember(id);
      }
    };
    outcome.then(settle, () => settle(false));
  }

  /**
   * Writes the stored ids to `file` (mode 0600, fsync'd, renamed into place). Call once nothing is in flight.
   * Returns false, after removing any old file, when it cannot: the next start then looks ids up in the engine.
   */
  save(file: string): boolean {
    const temp = `${file}.tmp`;
    try {
      const fd = fs.openSync(temp, 'w', 0o600);
      try {
        fs.writeSync(fd, [...this.previous, ...this.current].join('\n'));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, file);
      return true;
    } catch {
      fs.rmSync(temp, { force: true });
      fs.rmSync(file, { force: true });
      return false;
    }
  }

  /**
   * Takes in the ids a clean stop saved and removes the file (a later crash must not make them look current).
   * False when there is no such file or it cannot be read.
   */
  load(file: string): boolean {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
      fs.rmSync(file, { force: true });
    } catch {
      return false;
    }
    for (const id of text.split('\n')) if (id !== '') this.remember(id);
    return true;
  }

  private remember(id: string): void {
    if (this.capacity <= 0) return;
    if (this.current.size >= Math.ceil(this.capacity / 2)) {
      this.previous = this.current;
      this.current = new SpanIdSet();
    }
    this.current.add(id);
  }
}
