/**
 * The export processor's hand-off as the process ends: every batch it holds is written to the disk buffer exactly
 * once, whether it is queued, kept in memory, being sent, or a buffered file claimed for sending (that one goes back
 * to its own file, not into a second one).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskBuffer } from '../sdk/export/disk-buffer';
import { BufferedExportProcessor } from '../sdk/export/buffered-export-processor';
import { SpanListBatcher } from '../sdk/export/span-batchers';
import type { SendOutcome } from '../sdk/export/otlp-request';
import { getActivityStats } from '../sdk/runtime/activity-stats';
import { waitUntil } from './helpers/wait-until';

const span = {} as ReadableSpan;
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-hand-off-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Batch files in the buffer (claimed ones included), as "name → span count". */
function files(): string[] {
  return fs.readdirSync(dir).map((name) => /-n(\d+)\.pb/.exec(name)?.[1] ?? name).sort();
}

function openBuffer(): DiskBuffer {
  const { buffer } = DiskBuffer.open(dir, 1024 * 1024, '.pb');
  if (buffer === undefined) throw new Error('buffer did not open');
  return buffer;
}

describe('export hand-off at exit', () => {
  it('gives a claimed buffered batch back to its own file and writes the queued spans once', async () => {
    const earlier = openBuffer();
    expect(earlier.writeSync(Uint8Array.of(3), 3)).toBe(true);
    let sends = 0;
    const processor = new BufferedExportProcessor({
      batcher: new SpanListBatcher((spans) => Uint8Array.of(spans.length), 10),
      // The send of the buffered batch never answers: the process ends while it is in flight.
      send: () => {
        sends++;
        return new Promise<SendOutcome>(() => undefined);
      },
      buffer: openBuffer(),
      delayMs: 60_000,
    });
    await waitUntil(() => sends === 1, 5000, 'the buffered batch to be claimed and sent');
    expect(fs.readdirSync(dir).some((name) => name.includes('.claimed-'))).toBe(true);
    processor.onEnd(span);
    processor.onEnd(span);
    processor.handOff();
    expect(files()).toEqual(['2', '3']);
    expect(fs.readdirSync(dir).some((name) => name.includes('.claimed-'))).toBe(false);
  });

  it('counts a memory-only batch being sent once when there is nowhere to write it', async () => {
    let sends = 0;
    const processor = new BufferedExportProcessor({
      batcher: new SpanListBatcher((spans) => Uint8Array.of(spans.length), 5),
      send: () => {
        sends++;
        // The first send fails (the batch is kept in memory), the retry never answers.
        return sends === 1 ? Promise.resolve<SendOutcome>('retry') : new Promise<SendOutcome>(() => undefined);
      },
      buffer: undefined,
      retryInitialMs: 1,
      retryMaxMs: 1,
    });
    const before = getActivityStats().bufferDropped;
    for (let i = 0; i < 5; i++) processor.onEnd(span);
    await waitUntil(() => sends === 2, 5000, 'the kept batch to be retried');
    processor.handOff();
    expect(getActivityStats().bufferDropped - before).toBe(5);
  });
});
