/**
 * The OTLP export processor's batching under load: spans that end while a batch is being sent wait for their own
 * batch (full, or the delay), instead of going out at once as a few-span batch per round trip.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { BufferedExportProcessor } from '../sdk/export/buffered-export-processor';
import { SpanListBatcher } from '../sdk/export/span-batchers';
import type { SendOutcome } from '../sdk/export/otlp-request';
import { waitUntil } from './helpers/wait-until';

const span = {} as ReadableSpan;

/** A processor whose sends stay open until the test answers them; each body is the batch's span count. */
function controlledProcessor(delayMs: number) {
  const sent: number[] = [];
  const answers: Array<(outcome: SendOutcome) => void> = [];
  const processor = new BufferedExportProcessor({
    batcher: new SpanListBatcher((spans) => Uint8Array.of(spans.length), 4),
    send: (body) => {
      sent.push(body[0]);
      return new Promise<SendOutcome>((resolve) => answers.push(resolve));
    },
    buffer: undefined,
    delayMs,
  });
  return { processor, sent, answers };
}

/** Lets the pump's continuation after an answered send run to its next await or return. */
async function settleTurns(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('OTLP export batching', () => {
  it('holds spans that ended during a send for their delay instead of sending them as a small batch at once', async () => {
    const { processor, sent, answers } = controlledProcessor(400);
    for (let i = 0; i < 4; i++) processor.onEnd(span);
    await waitUntil(() => sent.length === 1, 5000, 'the full batch to be sent');
    processor.onEnd(span);
    processor.onEnd(span);
    const answeredAt = Date.now();
    answers[0]('sent');
    await settleTurns();
    expect(sent).toEqual([4]);
    await waitUntil(() => sent.length === 2, 5000, 'the delayed batch');
    expect(sent).toEqual([4, 2]);
    expect(Date.now() - answeredAt).toBeGreaterThanOrEqual(100);
    answers[1]('sent');
    await processor.shutdown();
  });

  it('sends the next full batch right after the previous one', async () => {
    const { processor, sent, answers } = controlledProcessor(60_000);
    for (let i = 0; i < 4; i++) processor.onEnd(span);
    await waitUntil(() => sent.length === 1, 5000, 'the first batch');
    for (let i = 0; i < 5; i++) processor.onEnd(span);
    answers[0]('sent');
    await waitUntil(() => sent.length === 2, 5000, 'the second full batch');
    expect(sent).toEqual([4, 4]);
    answers[1]('sent');
    await settleTurns();
    expect(sent).toEqual([4, 4]);
    const flushed = processor.forceFlush();
    await waitUntil(() => sent.length === 3, 5000, 'the flushed remainder');
    answers[2]('sent');
    await flushed;
    expect(sent).toEqual([4, 4, 1]);
    await processor.shutdown();
  });

  it('spans past a full batch during a send arm one timer, not one each, and every full batch still goes out at once', async () => {
    const { processor, sent, answers } = controlledProcessor(60_000);
    for (let i = 0; i < 4; i++) processor.onEnd(span);
    await waitUntil(() => sent.length === 1, 5000, 'the first batch');
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const clears = vi.spyOn(globalThis, 'clearTimeout');
    try {
      for (let i = 0; i < 12; i++) processor.onEnd(span);
      expect(timers.mock.calls.length).toBeLessThanOrEqual(1);
      expect(clears).not.toHaveBeenCalled();
    } finally {
      timers.mockRestore();
      clears.mockRestore();
    }
    for (let n = 1; n <= 3; n++) {
      answers[n - 1]('sent');
      await waitUntil(() => sent.length === n + 1, 5000, `full batch ${n + 1}`);
    }
    expect(sent).toEqual([4, 4, 4, 4]);
    answers[3]('sent');
    await processor.shutdown();
  });

  it('forceFlush sends spans that ended during a send without waiting for the delay', async () => {
    const { processor, sent, answers } = controlledProcessor(60_000);
    for (let i = 0; i < 4; i++) processor.onEnd(span);
    await waitUntil(() => sent.length === 1, 5000, 'the full batch');
    processor.onEnd(span);
    const flushed = processor.forceFlush();
    answers[0]('sent');
    await waitUntil(() => sent.length === 2, 5000, 'the flushed span');
    answers[1]('sent');
    await flushed;
    expect(sent).toEqual([4, 1]);
    await processor.shutdown();
  });
});

describe('bodies given back', () => {
  it('gives each body back once, after it was sent, refused or kept in memory and sent later, never before', async () => {
    const released: Uint8Array[] = [];
    const outcomes: SendOutcome[] = ['retry', 'sent', 'rejected'];
    const attempts: Uint8Array[] = [];
    const processor = new BufferedExportProcessor({
      batcher: new SpanListBatcher((spans) => Uint8Array.of(spans.length), 2, (body) => released.push(body)),
      send: (body) => {
        // A body is never given back while a send of it is in progress.
        expect(released).not.toContain(body);
        attempts.push(body);
        return Promise.resolve(outcomes.shift() ?? 'sent');
      },
      buffer: undefined,
      delayMs: 10,
      retryInitialMs: 1,
      retryMaxMs: 1,
    });
    for (let i = 0; i < 4; i++) processor.onEnd(span);
    await processor.forceFlush();
    await waitUntil(() => outcomes.length === 0 && released.length === 2, 5000, 'both batches to be done with');
    // The first batch failed once (kept in memory), then was sent; the second was refused for good.
    expect(attempts).toHaveLength(3);
    expect(new Set(released).size).toBe(2);
    expect(released).toEqual([attempts[0], attempts[2]]);
    await processor.shutdown();
  });
});
