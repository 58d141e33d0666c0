/**
 * cost-by-route over real chDB: each external call is charged to the route of the request of its own trace and
 * service, however deep under it the call was made; calls outside any request are '(no request)'.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivitySpan, Attributes, SpanKindNumber } from '../sdk/activity-span';
import { QueryCatalog } from '../exporter/analytics/query-catalog';
import { spanToRow } from '../exporter/rows/span-to-row';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-cost-by-route-'));
const sink = new EmbeddedSink({ dataDir: path.join(root, 'data') });
const catalog = QueryCatalog.load();
const AT = Date.parse('2026-03-10T10:00:00Z');

let seq = 0;
function span(trace: string, kind: SpanKindNumber, service: string, attributes: Attributes, parent = ''): ActivitySpan {
  seq++;
  return {
    traceId: trace.padStart(32, '0'),
    spanId: seq.toString(16).padStart(16, '0'),
    parentSpanId: parent,
    name: 'x',
    kind,
    startTimeMs: AT + seq * 1000,
    durationMs: 100,
    statusCode: 0,
    statusMessage: '',
    attributes,
    resource: { 'service.name': service, 'deployment.environment.name': 'prod' },
    events: [],
  };
}
const request = (trace: string, method: string, route: string, service = 'shop') =>
  span(trace, 1, service, { 'activity.kind': 'access', 'http.request.method': method, 'http.route': route, 'url.path': route, 'http.response.status_code': 200 });
const llmCall = (trace: string, model: string, input: number, output: number, cost: number | undefined, service = 'shop', parent = '00000000000000aa') =>
  span(trace, 2, service, {
    'activity.kind': 'external', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output,
    'gen_ai.usage.cache_read.input_tokens': Math.floor(input / 2), 'http.request.method': 'POST', ...(cost === undefined ? {} : { 'activity.cost.usd': cost }),
  }, parent);

const SPANS = [
  request('a1', 'POST', '/api/chat'),
  // Two calls of one chat request, one nested under an internal span (its parent is not the request's span).
  llmCall('a1', 'gpt-4o-mini', 1000, 100, 0.0002),
  llmCall('a1', 'gpt-4o-mini', 2000, 200, 0.0004, 'shop', '00000000000000bb'),
  request('a2', 'POST', '/api/chat'),
  llmCall('a2', 'mystery-1', 10, 1, undefined),
  request('b1', 'GET', '/api/summary'),
  llmCall('b1', 'gpt-4o-mini', 5000, 500, 0.001),
  // A worker's call: no request in its trace.
  llmCall('c1', 'gpt-4o-mini', 100, 10, 0.00002, 'shop', ''),
  // Another service in the same trace as a1: its call is its own, not /api/chat's.
  llmCall('a1', 'gpt-4o-mini', 300, 30, 0.00006, 'billing'),
];

beforeAll(async () => {
  await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
  for (const table of ['access_log', 'external_calls'] as const) {
    const rows = SPANS.map((s) => spanToRow(s)).filter((r) => r?.table === table).map((r) => r!.row);
    const result = await sink.insert(table, rows, { dedupToken: `cost-by-route-${table}` });
    if (!result.ok) throw result.error;
  }
}, 60_000);

afterAll(async () => {
  await sink.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('cost-by-route', () => {
  const run = (values: Record<string, string> = {}) => catalog.run(sink, 'cost-by-route', { from: '2026-03-10 00:00:00.000', to: '2026-03-11 00:00:00.000', ...values });

  it('charges each call to the route of its own request, unpriced calls counted, the rest as (no request)', async () => {
    expect(await run({ service: 'shop' })).toEqual([
      { method: 'GET', route: '/api/summary', requests: 1, calls: 1, input_tokens: 5000, output_tokens: 500, cost_usd: 0.001, unpriced_calls: 0, cache_read_tokens: 2500, cache_write_tokens: 0, reasoning_tokens: 0 },
      { method: 'POST', route: '/api/chat', requests: 2, calls: 3, input_tokens: 3010, output_tokens: 301, cost_usd: 0.0006, unpriced_calls: 1, cache_read_tokens: 1505, cache_write_tokens: 0, reasoning_tokens: 0 },
      { method: '', route: '(no request)', requests: 0, calls: 1, input_tokens: 100, output_tokens: 10, cost_usd: 0.00002, unpriced_calls: 0, cache_read_tokens: 50, cache_write_tokens: 0, reasoning_tokens: 0 },
    ]);
  });

  it("keeps another service's calls in the same trace apart", async () => {
    expect(await run({ service: 'billing' })).toEqual([
      { method: '', route: '(no request)', requests: 0, calls: 1, input_tokens: 300, output_tokens: 30, cost_usd: 0.00006, unpriced_calls: 0, cache_read_tokens: 150, cache_write_tokens: 0, reasoning_tokens: 0 },
    ]);
  });
});
