/**
 * The demo's closing report, read back from the tables with the named queries (schemas/queries): top routes with
 * p95 and error rate, auth events by type and outcome, LLM cost by provider and by user.
 */
import { QueryCatalog } from 'otel-activity-server/internal/exporter/analytics/query-catalog';
import type { Sink } from 'otel-activity-server/internal/exporter/sinks/sink';

type Row = Record<string, unknown>;

export interface DemoReport {
  readonly text: string;
  readonly overview: Row;
}

export async function demoReport(sink: Sink, window: { from: string; to: string }, service: string): Promise<DemoReport> {
  const catalog = QueryCatalog.load();
  const params = { from: window.from, to: window.to, service };
  const [overview = {}] = await catalog.run(sink, 'overview', params);
  const routes = await catalog.run(sink, 'endpoint-latency.raw', { ...params, limit: '8' });
  const auth = await catalog.run(sink, 'auth-per-day.raw', params);
  const providers = await catalog.run(sink, 'cost-by-provider.raw', params);
  const users = await catalog.run(sink, 'cost-by-user.raw', { ...params, limit: '10' });

  // A run can cross midnight UTC: sum the per-day rows into one line per event and outcome.
  const authTotals = new Map<string, { event: string; success: string; events: number }>();
  for (const r of auth) {
    const key = `${String(r.event)}|${String(r.success)}`;
    const entry = authTotals.get(key) ?? { event: String(r.event), success: r.success === true || r.success === 1 ? 'yes' : 'no', events: 0 };
    entry.events += Number(r.events);
    authTotals.set(key, entry);
  }

  const requests = Number(overview.requests ?? 0);
  const errors = Number(overview.errors ?? 0);
  const lines = [
    `Requests: ${requests}, server errors (5xx): ${errors} (${requests ? ((100 * errors) / requests).toFixed(1) : '0.0'}%), users: ${String(overview.users ?? 0)}, p95: ${String(overview.p95_ms ?? 0)} ms`,
    '',
    'Top routes',
    table(['method', 'route', 'requests', 'p95 ms', 'errors', 'error rate'], routes.map((r) => [r.method, r.route, r.requests, r.p95_ms, r.errors, `${(100 * Number(r.error_ratio)).toFixed(1)}%`])),
    '',
    'Auth events',
    table(['event', 'success', 'events'], [...authTotals.values()].map((a) => [a.event, a.success, a.events])),
    '',
    'LLM / external cost by provider',
    table(['provider', 'calls', 'input tokens', 'output tokens', 'cost USD'], providers.map((p) => [p.provider, p.calls, p.input_tokens, p.output_tokens, String(Number(p.cost_usd))])),
    '',
    'Cost by user',
    table(['user', 'calls', 'input tokens', 'output tokens', 'cost USD'], users.map((u) => [u.user_id, u.calls, u.input_tokens, u.output_tokens, String(Number(u.cost_usd))])),
  ];
  return { text: lines.join('\n'), overview };
}

function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>): string {
  const cells = [header, ...rows.map((r) => r.map((c) => String(c ?? '')))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]) => `  ${r.map((c, i) => (i === 0 || i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`;
  return [fmt(header), `  ${widths.map((w) => '-'.repeat(w)).join('  ')}`, ...cells.slice(1).map(fmt)].join('\n');
}
