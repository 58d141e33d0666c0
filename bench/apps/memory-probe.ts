/**
 * For bench/sdk-memory.ts: prints "MEMORY {json}" once a second with process.memoryUsage() and the used and held bytes
 * of each V8 heap space, so a difference in RSS can be split into JS heap, buffers and native memory.
 */
import * as v8 from 'node:v8';

export interface MemoryProbeLine {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Used bytes per V8 heap space (new_space, old_space, code_space, large_object_space …). */
  readonly spaces: Readonly<Record<string, number>>;
  /** Bytes V8 holds for each space (space_size): what heapTotal adds up, used or not. */
  readonly held: Readonly<Record<string, number>>;
}

export const MEMORY_PROBE_PREFIX = 'MEMORY ';

export function startMemoryProbe(intervalMs = 1000): void {
  const timer = setInterval(() => {
    const usage = process.memoryUsage();
    const spaces: Record<string, number> = {};
    const held: Record<string, number> = {};
    for (const space of v8.getHeapSpaceStatistics()) {
      spaces[space.space_name] = space.space_used_size;
      held[space.space_name] = space.space_size;
    }
    const line: MemoryProbeLine = { rss: usage.rss, heapTotal: usage.heapTotal, heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers, spaces, held };
    process.stdout.write(`${MEMORY_PROBE_PREFIX}${JSON.stringify(line)}\n`);
  }, intervalMs);
  timer.unref();
}
