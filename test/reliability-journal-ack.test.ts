/**
 * The service answering 200 once a request's rows are fsync'd to its journal (OTEL_ACTIVITY_ACK_AFTER=journal), not
 * once they are inserted: what it acknowledged must survive a SIGKILL before the insert, be stored exactly once when
 * the journal is replayed over rows already stored, and a clean stop must leave no journal behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpans, OtlpSender } from './helpers/otlp-sender';
import { requireBuiltCli, createService, type ServiceProcess } from './helpers/service-process';
import { compareDelivery, storedSpanIdCounts } from './helpers/stored-rows';

const RUN = 0x70a1;
const SPANS_PER_REQUEST = 50;

let service: ServiceProcess | undefined;
afterAll(async () => {
  await service?.dispose();
});

function journalFiles(root: string): string[] {
  const dir = path.join(root, 'spool', 'journal');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.ndjson')) : [];
}

/** Every span id sent, kept apart from what the sender saw acknowledged. */
const sent = new Set<string>();

async function sendRequests(sender: OtlpSender, first: number, requests: number): Promise<void> {
  for (let i = 0; i < requests; i++) {
    const spans = makeSpans(RUN, first + i * SPANS_PER_REQUEST, SPANS_PER_REQUEST);
    for (const span of spans) sent.add(span.spanContext().spanId);
    const outcome = await sender.send(spans);
    expect(outcome.status).toBe(200);
  }
}

const COUNT_ALL = 'SELECT (SELECT count() FROM access_log) + (SELECT count() FROM auth_events) + (SELECT count() FROM external_calls) AS n';

describe('acknowledged from the journal', () => {
  beforeAll(requireBuiltCli);

  it('keeps what it acknowledged across a SIGKILL before the insert, replays it once over stored rows, and stops clean', async () => {
    // Nothing is cut into a batch by count or time while the test runs: acknowledged rows sit only in memory and the journal.
    service = await createService({
      env: { OTEL_ACTIVITY_ACK_AFTER: 'journal', OTEL_ACTIVITY_DURABLE_FLUSH_MS: '600000', OTEL_ACTIVITY_FLUSH_COUNT: '1000000' },
    });
    await service.start();
    const sender = new OtlpSender({ url: service.tracesUrl, encoding: 'protobuf' });

    await sendRequests(sender, 0, 4);
    // Answered before any insert: the rows are in the journal, one file per request, and not in the tables.
    expect(journalFiles(service.root)).toHaveLength(4);
    expect(Number((await service.query<{ n: string }>(COUNT_ALL))[0]?.n)).toBe(0);
    const journalDir = path.join(service.root, 'spool', 'journal');
    const kept = path.join(service.root, 'journal-copy');
    fs.cpSync(journalDir, kept, { recursive: true });

    // A clean stop inserts what the queue holds and deletes the files of those requests.
    expect((await service.stop()).code).toBe(0);
    expect(journalFiles(service.root)).toEqual([]);

    // The same files again, as a crash right after their insert and before their deletion leaves them: replayed
    // through the spool under tokens of their own, so only the span-id check keeps them from being stored twice.
    for (const name of fs.readdirSync(kept)) fs.copyFileSync(path.join(kept, name), path.join(journalDir, name));
    await service.start();
    let metrics = { spooled: { pendingBatches: -1 }, deduplicatedRows: 0 };
    for (const until = Date.now() + 30_000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 100))) {
      metrics = (await service.metrics()) as typeof metrics;
      if (metrics.spooled.pendingBatches === 0 && metrics.deduplicatedRows >= 4 * SPANS_PER_REQUEST) break;
    }
    expect(metrics.spooled.pendingBatches).toBe(0);
    expect(metrics.deduplicatedRows).toBe(4 * SPANS_PER_REQUEST);
    expect(journalFiles(service.root)).toEqual([]);

    // Two more, held in the queue by the long flush interval, then SIGKILL: only the journal has them.
    await sendRequests(sender, 4 * SPANS_PER_REQUEST, 2);
    expect(journalFiles(service.root)).toHaveLength(2);
    await service.kill();
    await service.start();
    // The restart moved them to the spool, which replays them while the queue still holds nothing to cut.
    expect(await service.waitForCount(COUNT_ALL, {}, 6 * SPANS_PER_REQUEST)).toBe(6 * SPANS_PER_REQUEST);
    expect(journalFiles(service.root)).toEqual([]);
    await service.stop();

    const stored = await storedSpanIdCounts(service.dataDir);
    const report = compareDelivery(new Set(sender.acknowledged), sent, stored);
    expect(report.acknowledged).toBe(6 * SPANS_PER_REQUEST);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.stored).toBe(6 * SPANS_PER_REQUEST);
    expect(journalFiles(service.root)).toEqual([]);
  }, 240_000);
});
