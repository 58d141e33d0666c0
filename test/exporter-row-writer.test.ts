/**
 * Rows can go somewhere other than the engine's tables (a Kafka producer the engine consumes from): the pipeline's
 * batches go to the row writer, while the engine still gets the migrations; flush and close reach the writer too.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { ActivitySpan } from '../sdk/activity-span';
import { ActivityPipeline } from '../exporter/activity-pipeline';
import type { InsertOptions, InsertResult, RowWriter } from '../exporter/sinks/row-writer';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { loadConfig } from '../exporter/config';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-row-writer-'));

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

class MemoryRowWriter implements RowWriter {
  readonly kind = 'memory';
  readonly batches: Array<{ table: string; spanIds: string[]; dedupToken: string }> = [];
  readonly calls: string[] = [];

  async insert(table: string, rows: ReadonlyArray<object>, options: InsertOptions): Promise<InsertResult> {
    this.batches.push({ table, spanIds: rows.map((r) => (r as { span_id: string }).span_id), dedupToken: options.dedupToken });
    this.calls.push(`insert ${table}`);
    return { ok: true };
  }

  async flush(): Promise<void> {
    this.calls.push('flush');
  }

  async close(): Promise<void> {
    this.calls.push('close');
  }
}

function span(i: number, kind: 'access' | 'auth'): ActivitySpan {
  return {
    traceId: 'b'.repeat(32),
    spanId: i.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'span',
    kind: 1,
    startTimeMs: Date.UTC(2026, 10, 23, 9, 0, 0) + i,
    durationMs: 2,
    statusCode: 0,
    statusMessage: '',
    attributes: kind === 'access' ? { 'activity.kind': 'access', 'http.request.method': 'GET', 'http.route': '/a' } : { 'activity.kind': 'auth', 'activity.auth.event': 'login' },
    resource: { 'service.name': 'writer-test' },
    events: [],
  };
}

it('sends the batches to the row writer, runs the migrations on the engine, and flushes and closes the writer', async () => {
  const config = loadConfig({ env: {}, overrides: { exporter: { dataDir: path.join(root, 'data'), spoolDir: path.join(root, 'spool'), flushIntervalMs: 50 } } }).exporter;
  const engine = new EmbeddedSink({ dataDir: config.dataDir });
  const writer = new MemoryRowWriter();
  const pipeline = new ActivityPipeline({ config, sink: engine, rowWriter: writer, durableFlushMs: 10 });
  await pipeline.ready();

  const result = await pipeline.acceptActivitySpansDurably([span(1, 'access'), span(2, 'access'), span(3, 'auth')]);
  expect(result).toEqual({ accepted: 3, rejected: 0, ignored: 0, durable: true });
  expect(writer.batches.map(({ table, spanIds }) => ({ table, spanIds })).sort((a, b) => a.table.localeCompare(b.table))).toEqual([
    { table: 'access_log', spanIds: ['0000000000000001', '0000000000000002'] },
    { table: 'auth_events', spanIds: ['0000000000000003'] },
  ]);
  expect(new Set(writer.batches.map((b) => b.dedupToken)).size).toBe(2);
  expect(pipeline.getStats().inserted).toEqual({ access_log: 2, auth_events: 1, external_calls: 0, activities: 0 });

  // The engine has the schema but none of the rows: they went to the writer.
  const [row] = await engine.query<{ n: number | string }>('SELECT (SELECT count() FROM access_log) + (SELECT count() FROM auth_events) AS n');
  expect(Number(row!.n)).toBe(0);

  await pipeline.forceFlush();
  expect(writer.calls.at(-1)).toBe('flush');
  await pipeline.shutdown();
  expect(writer.calls.at(-1)).toBe('close');
  await expect(engine.query('SELECT 1')).rejects.toThrow('is closed');
});
