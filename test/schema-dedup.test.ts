/**
 * A batch inserted again with the same dedup token (a retry, or a spool replay after a crash) is stored once in
 * the raw table and counted once in the rollups its materialized views feed; a new token stores it again.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanToRow } from '../exporter/rows/span-to-row';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';

let dir: string;
let sink: EmbeddedSink;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-dedup-'));
  sink = new EmbeddedSink({ dataDir: path.join(dir, 'data') });
  await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 });
});
afterAll(async () => {
  await sink.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function externalRows(n: number): object[] {
  return Array.from({ length: n }, (_, i) =>
    spanToRow({
      traceId: i.toString(16).padStart(32, '0'),
      spanId: i.toString(16).padStart(16, '0'),
      parentSpanId: '',
      name: 'x',
      kind: 2,
      startTimeMs: Date.UTC(2026, 10, 22, 12) + i * 60_000,
      durationMs: 10,
      statusCode: 0,
      statusMessage: '',
      attributes: { 'activity.kind': 'external', 'activity.external.service': 'openai', 'activity.cost.usd': 0.001, 'user.id': 'u-1' },
      resource: { 'service.name': 'svc' },
      events: [],
    })!.row,
  );
}

describe('insert deduplication', () => {
  it('stores a batch replayed with the same token once, in external_calls and in external_cost_daily', async () => {
    const rows = externalRows(50);
    for (const token of ['batch-1', 'batch-1', 'batch-1']) {
      expect(await sink.insert('external_calls', rows, { dedupToken: token })).toEqual({ ok: true });
    }
    expect(await sink.query('SELECT count() AS n, toString(sum(cost_usd)) AS cost FROM external_calls')).toEqual([{ n: 50, cost: '0.05' }]);
    expect(await sink.query('SELECT sum(calls) AS n, toString(sum(cost_usd)) AS cost FROM external_cost_daily')).toEqual([{ n: 50, cost: '0.05' }]);

    expect(await sink.insert('external_calls', rows, { dedupToken: 'batch-2' })).toEqual({ ok: true });
    expect(await sink.query('SELECT count() AS n FROM external_calls')).toEqual([{ n: 100 }]);
    expect(await sink.query('SELECT sum(calls) AS n, toString(sum(cost_usd)) AS cost FROM external_cost_daily')).toEqual([{ n: 100, cost: '0.1' }]);
  });
});
