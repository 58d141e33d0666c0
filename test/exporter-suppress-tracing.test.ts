/**
 * The pipeline never traces itself: with the real http instrumentation active, inserts to a real clickhouse-server
 * produce no spans, even when the batch was queued inside a traced request (whose context the flush timer inherits).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { createClickHouseServer, type TestClickHouseServer } from './helpers/clickhouse-server';
import { waitUntil } from './helpers/wait-until';

const memory = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
let server: TestClickHouseServer;
let unregister: () => void;

beforeAll(async () => {
  provider.register();
  unregister = registerInstrumentations({ instrumentations: [new HttpInstrumentation()] });
  server = await createClickHouseServer();
  await server.start();
});

afterAll(async () => {
  unregister?.();
  await provider.shutdown();
  await server?.dispose();
});

it('sends inserts without creating spans, while the same client outside the pipeline is traced', async () => {
  // Loaded after the instrumentation is on, so the client's http module is the patched one.
  const { HttpSink } = await import('../exporter/sinks/http-sink.js');
  const { BatchQueue } = await import('../exporter/queue/batch-queue.js');
  const { BatchWriter } = await import('../exporter/queue/batch-writer.js');
  const { newPipelineStats } = await import('../exporter/queue/pipeline-stats.js');
  const sink = new HttpSink({ url: server.url, user: server.user, password: server.password, database: 'default', compression: false });
  await sink.command('CREATE TABLE access_log (id String, n UInt32) ENGINE = MergeTree ORDER BY id');

  // Control: a direct call is traced, so the instrumentation really sees this client's requests.
  memory.reset();
  await sink.query('SELECT 1');
  expect(memory.getFinishedSpans().map((s) => s.kind)).toEqual([2]);

  memory.reset();
  const stats = newPipelineStats();
  const writer = new BatchWriter({ sink, probeIntervalMs: 100, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50, deadlineMs: 2_000 } }, stats);
  const queue = new BatchQueue({ flushCount: 50, flushIntervalMs: 20, maxQueueRows: 10_000, maxQueueBytes: 1 << 24 }, writer, stats);
  const tracer = trace.getTracer('app');
  tracer.startActiveSpan('GET /orders', (span) => {
    queue.enqueue(Array.from({ length: 120 }, (_, i) => ({ table: 'access_log' as const, row: { id: `r${i}`, n: i } })));
    span.end();
  });
  // The timer flushes the last 20 rows from the request's context: the case a traced insert would come from.
  await waitUntil(() => stats.inserted.access_log === 120, 5_000, 'the timer to flush the last 20 rows');
  await queue.shutdown();
  expect(memory.getFinishedSpans().map((s) => s.name)).toEqual(['GET /orders']);

  expect(stats.inserted.access_log).toBe(120);
  const [row] = await sink.query<{ c: string }>('SELECT count() AS c FROM access_log');
  expect(Number(row!.c)).toBe(120);
  await sink.close();
});
