/**
 * The ingest service SIGKILLed mid-load and restarted on the same data directory, again and again, while senders
 * keep sending like the official exporters (retrying connection errors, 429 and 503). Afterwards every span id the
 * service acknowledged with HTTP 200 must be stored, exactly once, and nothing it was never sent.
 * Both acknowledgements are proved: once the rows are inserted (the default), and once they are in the journal
 * (OTEL_ACTIVITY_ACK_AFTER=journal), where a kill often finds acknowledged rows that were never inserted.
 * RELIABILITY_KILL_CYCLES (default 20; 8 for the journal) and RELIABILITY_KILL_SPANS (spans per cycle, default 300) scale it up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSpans, OtlpSender, seededRandom, type Encoding } from './helpers/otlp-sender';
import { requireBuiltCli, createService, type ServiceProcess } from './helpers/service-process';
import { compareDelivery, storedSpanIdCounts } from './helpers/stored-rows';

const INSERT_CYCLES = Number(process.env.RELIABILITY_KILL_CYCLES ?? 20);
const JOURNAL_CYCLES = Number(process.env.RELIABILITY_KILL_CYCLES ?? 8);
const SPANS_PER_CYCLE = Number(process.env.RELIABILITY_KILL_SPANS ?? 300);
const SPANS_PER_REQUEST = 25;
const SEED = Number(process.env.RELIABILITY_SEED ?? 7001);
const RUN = 0x5a11;

const services: ServiceProcess[] = [];
afterAll(async () => {
  for (const service of services) {
    if (process.env.RELIABILITY_KEEP_DIRS) console.log(`[reliability] kept ${service.root}`);
    else await service.dispose();
  }
});

/** Sends `count` spans starting at `first` in requests of SPANS_PER_REQUEST, two requests in flight. */
async function sendRange(sender: OtlpSender, first: number, count: number, onAck: () => void): Promise<void> {
  let next = first;
  const end = first + count;
  const worker = async () => {
    while (next < end) {
      const start = next;
      next = Math.min(end, next + SPANS_PER_REQUEST);
      const outcome = await sender.send(makeSpans(RUN, start, next - start));
      if (outcome.status === 200) onAck();
    }
  };
  await Promise.all([worker(), worker()]);
}

describe.each([
  { ackAfter: 'insert', cycles: INSERT_CYCLES },
  { ackAfter: 'journal', cycles: JOURNAL_CYCLES },
])('service SIGKILL mid-load, acknowledged after the $ackAfter', ({ ackAfter, cycles }) => {
  beforeAll(requireBuiltCli);
  it(`stores every acknowledged span exactly once across ${cycles} SIGKILL + restart cycles`, async () => {
    const random = seededRandom(SEED);
    const service = await createService({ env: { OTEL_ACTIVITY_ACK_AFTER: ackAfter } });
    services.push(service);
    await service.start();
    const sent = new Set<string>();
    const senders: OtlpSender[] = [];
    const killedAfterAcks: number[] = [];
    const started = Date.now();

    for (let cycle = 0; cycle < cycles; cycle++) {
      const encoding: Encoding = cycle % 2 === 0 ? 'protobuf' : 'json';
      const sender = new OtlpSender({ url: service.tracesUrl, encoding, deadlineMs: 120_000 });
      senders.push(sender);
      const first = cycle * SPANS_PER_CYCLE;
      for (const span of makeSpans(RUN, first, SPANS_PER_CYCLE)) sent.add(span.spanContext().spanId);

      // Kill after a random number of acknowledged requests (1 … most of the cycle), so kills land at every stage.
      const killAt = 1 + Math.floor(random() * Math.max(1, SPANS_PER_CYCLE / SPANS_PER_REQUEST - 2));
      let acks = 0;
      let killed: Promise<void> | undefined;
      const svc = service;
      const sending = sendRange(sender, first, SPANS_PER_CYCLE, () => {
        acks++;
        if (acks === killAt && !killed) {
          killedAfterAcks.push(acks);
          // The restart runs while the senders retry against a closed port, as a real outage would look.
          killed = svc.kill().then(() => svc.start());
        }
      });
      await sending;
      if (!killed) {
        killedAfterAcks.push(acks);
        killed = svc.kill().then(() => svc.start());
      }
      await killed;
    }

    // A clean stop drains whatever the last incarnation holds; then read the directory with the service gone.
    const stop = await service.stop();
    const stored = await storedSpanIdCounts(service.dataDir);
    const acknowledged = new Set<string>();
    for (const s of senders) for (const id of s.acknowledged) acknowledged.add(id);
    const failed = senders.reduce((n, s) => n + s.failed.size, 0);
    const report = compareDelivery(acknowledged, sent, stored);
    const summary = {
      cycles,
      kills: killedAfterAcks.length,
      spansSent: sent.size,
      acknowledged: report.acknowledged,
      stored: report.stored,
      lost: report.lost.length,
      duplicated: report.duplicated.length,
      unexpected: report.unexpected.length,
      storedUnacknowledged: report.storedUnacknowledged,
      senderGaveUp: failed,
      connectionErrors: senders.reduce((n, s) => n + s.counts.connectionErrors, 0),
      retries429or503: senders.reduce((n, s) => n + s.counts.retriesAfter429or503, 0),
      attempts: senders.reduce((n, s) => n + s.counts.attempts, 0),
      stopExit: stop,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    console.log(`[reliability] service SIGKILL, ack after the ${ackAfter}: ${JSON.stringify(summary)}`);
    if (report.lost.length) console.log(`[reliability] first lost ids: ${report.lost.slice(0, 10).join(' ')}`);
    if (report.duplicated.length) console.log(`[reliability] first duplicated ids: ${report.duplicated.slice(0, 10).join(' ')}`);

    expect(killedAfterAcks.length).toBe(cycles);
    expect(failed).toBe(0);
    expect(report.acknowledged).toBe(cycles * SPANS_PER_CYCLE);
    expect(report.lost).toEqual([]);
    expect(report.duplicated).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.stored).toBe(cycles * SPANS_PER_CYCLE);
  }, 600_000);
});
