/**
 * The check after a restart against real chDB tables: a row resent from before the restart is skipped, a row newer
 * than anything stored then is inserted without a lookup (the check used to cost each batch ~20% of its insert), a
 * spool batch is looked up whole and makes its rows count as from before, and a later arm() looks up every row.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivitySpan } from '../sdk/activity-span';
import { newPipelineStats } from '../exporter/queue/pipeline-stats';
import { RestartDedup } from '../exporter/queue/restart-dedup';
import { spanToRow } from '../exporter/rows/span-to-row';
import type { QueryEngine } from '../exporter/sinks/query-engine';
import type { QueryParams } from '../exporter/sinks/sink';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';

const BASE_MS = Date.UTC(2026, 11, 1, 12, 0, 0);

function accessRow(i: number): object {
  const span: ActivitySpan = {
    traceId: 'b'.repeat(32),
    spanId: (0x100000 + i).toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'GET /r',
    kind: 1,
    startTimeMs: BASE_MS + i * 1000,
    durationMs: 2,
    statusCode: 0,
    statusMessage: '',
    attributes: { 'activity.kind': 'access', 'http.request.method': 'GET', 'url.path': '/r', 'http.route': '/r', 'http.response.status_code': 200 },
    resource: { 'service.name': 'restart-check' },
    events: [],
  };
  return spanToRow(span)!.row;
}

const range = (from: number, to: number): object[] => Array.from({ length: to - from }, (_, k) => accessRow(from + k));

let dir: string;
let sink: EmbeddedSink;
/** The sink, counting the span-id lookups it is asked to run. */
let lookups = 0;
let engine: QueryEngine;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restart-dedup-'));
  sink = new EmbeddedSink({ dataDir: path.join(dir, 'data') });
  await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
  engine = {
    kind: sink.kind,
    query: <T,>(sql: string, params?: QueryParams) => {
      if (sql.includes('span_id IN')) lookups++;
      return sink.query<T>(sql, params);
    },
    command: (sql, params) => sink.command(sql, params),
    close: () => Promise.resolve(),
  };
}, 120_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function insert(rows: ReadonlyArray<object>, token: string): Promise<void> {
  const result = await sink.insert('access_log', rows, { dedupToken: token });
  expect(result.ok).toBe(true);
}

describe('the check after a restart', () => {
  it('looks up only rows that could be from before it, and every row once a request could not be kept', async () => {
    // What the previous process stored: rows 0..99.
    await insert(range(0, 100), 'before-restart');
    const stats = newPipelineStats();
    const check = new RestartDedup(engine, 60_000, stats, true);

    // Newer than anything stored: inserted as they are, without a lookup.
    const fresh = range(200, 300);
    expect(await check.unstored('access_log', fresh, 'queue')).toHaveLength(100);
    expect(lookups).toBe(0);
    await insert(fresh, 'fresh');

    // A sender resends rows 50..99 with new ones: the old ones are found and skipped.
    const resent = [...range(50, 100), ...range(300, 310)];
    const kept = await check.unstored('access_log', resent, 'queue');
    expect(kept).toEqual(range(300, 310));
    expect(lookups).toBe(1);
    expect(stats.deduplicatedRows).toBe(50);

    // The spool holds rows 400..409 the previous process acknowledged: looked up whole, stored, and then a resend of
    // them through the queue is caught although they are newer than anything stored at the restart.
    const spooled = range(400, 410);
    expect(await check.unstored('access_log', spooled, 'spool')).toHaveLength(10);
    expect(lookups).toBe(2);
    await insert(spooled, 'spooled');
    expect(await check.unstored('access_log', spooled, 'queue')).toEqual([]);
    expect(stats.deduplicatedRows).toBe(60);

    // A request this process could keep only in part: its sender resends it all, so every row is looked up now.
    await insert(range(500, 505), 'partly-kept');
    check.arm();
    expect(await check.unstored('access_log', range(500, 510), 'queue')).toEqual(range(505, 510));
    expect(stats.deduplicatedRows).toBe(65);
  }, 120_000);
});
