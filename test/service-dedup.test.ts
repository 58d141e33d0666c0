/**
 * A span id is stored once whatever the sender does: a client that times out while its request waits for the commit
 * and sends the same body again, the same span twice in one request, in two requests at once or one after the other,
 * and (service as a process) the same body sent to the next process after a clean restart.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSpanExporter } from '../exporter/clickhouse-span-exporter';
import { RecentSpanIds } from '../exporter/queue/recent-span-ids';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import { loadConfig } from '../exporter/config';
import { encodeSpans, makeSpans, post } from './helpers/otlp-sender';
import { requireBuiltCli, createService } from './helpers/service-process';

const UNION = 'SELECT span_id FROM access_log UNION ALL SELECT span_id FROM auth_events UNION ALL SELECT span_id FROM external_calls';
const PROTOBUF = 'application/x-protobuf';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-svc-dedup-'));
let service: OtlpService;
let url: string;

beforeAll(async () => {
  const config = loadConfig({ env: {}, overrides: { exporter: { dataDir: path.join(root, 'data') }, service: { port: 0, alertIntervalMs: 0 } } });
  // A 1.5 s group commit keeps a request waiting for its commit long enough for a client to give up on it.
  const exporter = new ClickHouseSpanExporter({ config: config.exporter, durableFlushMs: 1500, recentSpanIds: config.service.dedupRecentSpanIds, checkStoredAfterStart: true });
  service = await startOtlpService({ config, exporter });
  url = `${service.url}/v1/traces`;
  await service.exporter.ready();
}, 60_000);

afterAll(async () => {
  await service?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

/** span_id → rows holding it, for the given ids (ids with no row are absent). */
async function rowsPerSpan(ids: readonly string[]): Promise<Map<string, number>> {
  await service.exporter.forceFlush();
  const rows = await service.exporter.sink.query<{ span_id: string; n: string | number }>(
    `SELECT span_id, count() AS n FROM (${UNION}) WHERE span_id IN {ids:Array(String)} GROUP BY span_id`,
    { ids },
  );
  return new Map(rows.map((r) => [r.span_id, Number(r.n)]));
}

function expectOnceEach(stored: Map<string, number>, ids: readonly string[]): void {
  expect([...stored.values()].filter((n) => n !== 1)).toEqual([]);
  expect(stored.size).toBe(ids.length);
}

describe('a span id is stored once', () => {
  it('a client that times out while its request waits for the commit and sends the same body again: 1 row per span, 5 of 5', async () => {
    let timedOut = 0;
    for (let round = 0; round < 5; round++) {
      const spans = makeSpans(0xd0 + round, 0, 200);
      const ids = spans.map((s) => s.spanContext().spanId);
      const body = encodeSpans(spans, 'protobuf');
      const first = await post(url, body, { contentType: PROTOBUF, timeoutMs: 300 });
      if (first.status === 0 && first.error === 'ETIMEDOUT') timedOut++;
      const resend = await post(url, body, { contentType: PROTOBUF });
      expect(resend.status).toBe(200);
      // And once more after the commit, as an exporter retrying a lost answer would.
      expect((await post(url, body, { contentType: PROTOBUF })).status).toBe(200);
      expectOnceEach(await rowsPerSpan(ids), ids);
    }
    expect(timedOut).toBe(5);
  }, 60_000);

  it('the same span twice in one request: 1 row', async () => {
    const spans = makeSpans(0xd8, 0, 50);
    const ids = spans.map((s) => s.spanContext().spanId);
    const result = await post(url, encodeSpans([...spans, ...spans.slice(0, 20), ...spans], 'protobuf'), { contentType: PROTOBUF });
    expect(result.status).toBe(200);
    expectOnceEach(await rowsPerSpan(ids), ids);
  });

  it('the same span in two requests at once, and in two requests one after the other: 1 row', async () => {
    const spans = makeSpans(0xd9, 0, 100);
    const ids = spans.map((s) => s.spanContext().spanId);
    // Overlapping halves at once: 0–69 and 30–99.
    const [a, b] = await Promise.all([
      post(url, encodeSpans(spans.slice(0, 70), 'protobuf'), { contentType: PROTOBUF }),
      post(url, encodeSpans(spans.slice(30), 'json'), { contentType: 'application/json' }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await post(url, encodeSpans(spans, 'json'), { contentType: 'application/json' })).status).toBe(200);
    expectOnceEach(await rowsPerSpan(ids), ids);
  });

  it('counts every skipped copy in deduplicatedRows', () => {
    // 5 rounds × 2 resends × 200; 120 spans in one body of which 50 distinct; 40 overlapping at once + 100 resent.
    expect(service.exporter.getStats().deduplicatedRows).toBe(5 * 2 * 200 + (120 - 50) + 40 + 100);
  });
});

describe('RecentSpanIds', () => {
  it('forgets ids whose request was not made durable, so the retry is stored', async () => {
    const recent = new RecentSpanIds(10);
    let fail: (durable: boolean) => void = () => undefined;
    recent.track(['a', 'b'], new Promise<boolean>((resolve) => (fail = resolve)));
    expect(recent.pending('a')).toBeInstanceOf(Promise);
    fail(false);
    await recent.pending('a');
    expect([recent.pending('a'), recent.isStored('a'), recent.isStored('b')]).toEqual([undefined, false, false]);
    const stored = Promise.resolve(true);
    recent.track(['a'], stored);
    await stored;
    await Promise.resolve();
    expect([recent.pending('a'), recent.isStored('a')]).toEqual([undefined, true]);
  });

  it('keeps between capacity/2 and capacity of the latest durable ids', async () => {
    const recent = new RecentSpanIds(4);
    const ids = ['1', '2', '3', '4', '5', '6', '7'];
    for (const id of ids) {
      const done = Promise.resolve(true);
      recent.track([id], done);
      await done;
      await Promise.resolve();
    }
    expect(ids.map((id) => recent.isStored(id))).toEqual([false, false, false, false, true, true, true]);
    expect(recent.size).toBe(3);
  });
});

describe('across a restart of the service process', () => {
  beforeAll(requireBuiltCli);
  it('the same body sent to the next process after a clean stop is stored once', async () => {
    const proc = await createService({ env: { OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '100', OTEL_ACTIVITY_ALERT_INTERVAL_MS: '0' } });
    try {
      await proc.start();
      const spans = makeSpans(0xda, 0, 300);
      const ids = spans.map((s) => s.spanContext().spanId);
      const body = encodeSpans(spans, 'protobuf');
      expect((await post(proc.tracesUrl, body, { contentType: PROTOBUF })).status).toBe(200);
      expect((await proc.stop()).code).toBe(0);
      // The clean stop left the ids it stored for the next start, owner-only; the next start takes them in.
      const saved = path.join(proc.root, 'spool', '.recent-span-ids');
      expect(fs.statSync(saved).mode & 0o777).toBe(0o600);
      expect(new Set(fs.readFileSync(saved, 'utf8').split('\n'))).toEqual(new Set(ids));
      await proc.start();
      expect(fs.existsSync(saved)).toBe(false);
      expect((await post(proc.tracesUrl, body, { contentType: PROTOBUF })).status).toBe(200);
      const counts = await proc.query<{ n: number; rows: number }>(
        `SELECT uniqExact(span_id) AS n, count() AS rows FROM (${UNION}) WHERE span_id IN {ids:Array(String)}`,
        { ids },
      );
      expect(counts).toEqual([{ n: 300, rows: 300 }]);
    } finally {
      await proc.dispose();
    }
  }, 120_000);
});
