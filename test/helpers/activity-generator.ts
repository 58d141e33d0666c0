/**
 * Seeded random activity over the last ten days (requests, auth events, external calls, custom activities) and the
 * answers to the reports over any window, computed here in plain TypeScript from the generated rows, never read
 * back from the database: the independent truth the window and time-zone tests compare against.
 */
import type { AccessRow, ActivityRow, AuthRow, ExternalCallRow } from '../../exporter/rows/row-types';
import type { Sink } from '../../exporter/sinks/sink';

const DAY_MS = 86_400_000;

/** Deterministic pseudo-random numbers, so a failure reproduces from its seed. */
export function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

export const chTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const utcDay = (ts: string): string => ts.slice(0, 10);

export interface GeneratedData {
  readonly access: AccessRow[];
  readonly auth: AuthRow[];
  readonly external: ExternalCallRow[];
  readonly activities: ActivityRow[];
  /** Cost of each external call in nano-dollars, by span id: sums stay exact integers. */
  readonly costNanos: Map<string, number>;
  /** First and last millisecond the rows span. */
  readonly startMs: number;
  readonly endMs: number;
}

const ROUTES = ['/api/products', '/api/products/:id', '/api/orders', '/api/cart', '/login', '/admin/users'];
const PROVIDERS = [['openai', 'gpt-4o-mini'], ['anthropic', 'claude-3-5-haiku'], ['stripe', '']] as const;
const EVENTS = ['login', 'login_failed', 'signup', 'logout'] as const;
const ACTIONS = [['invoice.export', 'invoice'], ['report.view', 'report'], ['user.update', 'user']] as const;

/** Rows over the ten days before `nowMs`; users u0..u29, some only in auth events, some only in activities. */
export function generateActivity(seed: number, nowMs: number, counts = { access: 1800, auth: 300, external: 240, activities: 200 }): GeneratedData {
  const rand = lcg(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const startMs = nowMs - 10 * DAY_MS;
  const when = (): number => startMs + Math.floor(rand() * (nowMs - startMs - 60_000));
  const user = (range: number, anonymous: number): string => (rand() < anonymous ? '' : `u${Math.floor(rand() * range)}`);
  const base = { service: 'shop', environment: 'test', attributes: {} };
  const access: AccessRow[] = [];
  for (let i = 0; i < counts.access; i++) {
    const u = user(20, 0.25);
    const device = pick(['desktop', 'mobile', 'tablet']);
    access.push({
      ...base, timestamp: chTime(when()), trace_id: `t${i}`, span_id: `a${i}`, method: rand() < 0.7 ? 'GET' : 'POST', route: pick(ROUTES), path: '/p', query: '',
      status: rand() < 0.05 ? 503 : rand() < 0.1 ? 404 : 200, duration_ms: Math.round(rand() * 500_000) / 1000, request_bytes: 10, response_bytes: 100,
      user_id: u, session_id: u ? `s-${u}-${Math.floor(rand() * 3)}` : rand() < 0.5 ? '' : `anon-${Math.floor(rand() * 9)}`,
      client_ip: '10.0.0.1', user_agent: 'Mozilla/5.0', browser: pick(['Firefox', 'Chrome']), os: pick(['Linux', 'Android']), device_type: device, error_message: '',
    });
  }
  const auth: AuthRow[] = [];
  for (let i = 0; i < counts.auth; i++) {
    const event = pick(EVENTS);
    // u20..u24 only ever appear in auth events: active users must still count them.
    auth.push({
      ...base, timestamp: chTime(when()), trace_id: `ta${i}`, span_id: `b${i}`, event, success: event !== 'login_failed', user_id: user(25, 0.1), session_id: '',
      method: 'password', reason: '', client_ip: `10.0.1.${Math.floor(rand() * 5)}`, user_agent: 'Mozilla/5.0', device_type: 'desktop',
    });
  }
  const external: ExternalCallRow[] = [];
  const costNanos = new Map<string, number>();
  for (let i = 0; i < counts.external; i++) {
    const [provider, model] = pick(PROVIDERS);
    // Down to 160 nano-dollars ($1.6e-7): reports must not print such a call as 0.
    const nanos = provider === 'stripe' ? 0 : rand() < 0.2 ? 160 : Math.floor(rand() * 30_000_000);
    const spanId = `c${i}`;
    costNanos.set(spanId, nanos);
    external.push({
      ...base, timestamp: chTime(when()), trace_id: `tc${i}`, span_id: spanId, parent_span_id: '', provider, method: 'POST', host: `${provider}.example`, url: 'https://x',
      status: rand() < 0.1 ? 500 : 200, duration_ms: Math.round(rand() * 2_000_000) / 1000, request_bytes: 1, response_bytes: 1, model,
      input_tokens: Math.floor(rand() * 4000), output_tokens: Math.floor(rand() * 800), cost_usd: nanos / 1e9, user_id: user(20, 0.2), session_id: '', error_message: '',
    });
  }
  const activities: ActivityRow[] = [];
  for (let i = 0; i < counts.activities; i++) {
    const [action, resourceType] = pick(ACTIONS);
    // u25..u29 only ever record custom activities.
    const audit = rand() < 0.1;
    activities.push({
      ...base, timestamp: chTime(when()), trace_id: `td${i}`, span_id: `d${i}`, user_id: audit ? 'admin' : user(30, 0.1), session_id: '',
      action: audit ? 'dashboard.read' : action, resource_type: audit ? 'report' : resourceType, resource_id: String(Math.floor(rand() * 10)),
      details: JSON.stringify({ n: i }), client_ip: '10.0.2.1', user_agent: 'Mozilla/5.0',
    });
  }
  return { access, auth, external, activities, costNanos, startMs, endMs: nowMs };
}

export async function insertGenerated(sink: Sink, data: GeneratedData): Promise<void> {
  // Three inserts per table, so the rollups hold several partial states per key that reads must merge.
  const tables = [['access_log', data.access], ['auth_events', data.auth], ['external_calls', data.external], ['activities', data.activities]] as const;
  for (const [table, rows] of tables) {
    const third = Math.ceil(rows.length / 3);
    for (let k = 0; k < 3; k++) {
      const result = await sink.insert(table, rows.slice(k * third, (k + 1) * third), { dedupToken: `generated-${table}-${k}` });
      if (!result.ok) throw result.error;
    }
  }
}

/** The expected answers over [from, to), both 'YYYY-MM-DD hh:mm:ss.sss' UTC. */
export class Truth {
  constructor(private readonly data: GeneratedData) {}

  private inWindow<T extends { timestamp: string }>(rows: readonly T[], from: string, to: string): T[] {
    return rows.filter((r) => r.timestamp >= from && r.timestamp < to);
  }

  topRoutes(from: string, to: string): Array<{ service: string; method: string; route: string; requests: number; unique_users: number; errors: number }> {
    const groups = new Map<string, AccessRow[]>();
    for (const r of this.inWindow(this.data.access, from, to)) groups.set(`${r.method} ${r.route}`, [...(groups.get(`${r.method} ${r.route}`) ?? []), r]);
    return [...groups.values()]
      .map((g) => ({
        service: 'shop', method: g[0].method, route: g[0].route, requests: g.length,
        unique_users: new Set(g.map((r) => r.user_id).filter(Boolean)).size, errors: g.filter((r) => r.status >= 500).length,
      }))
      .sort((a, b) => b.requests - a.requests || a.method.localeCompare(b.method) || a.route.localeCompare(b.route));
  }

  costByProvider(from: string, to: string): Array<{ provider: string; calls: number; input_tokens: number; output_tokens: number; cost_usd: number }> {
    const groups = new Map<string, ExternalCallRow[]>();
    for (const c of this.inWindow(this.data.external, from, to)) groups.set(c.provider, [...(groups.get(c.provider) ?? []), c]);
    return [...groups.values()]
      .map((g) => ({
        provider: g[0].provider, calls: g.length, input_tokens: g.reduce((s, c) => s + c.input_tokens, 0), output_tokens: g.reduce((s, c) => s + c.output_tokens, 0),
        cost_usd: g.reduce((s, c) => s + (this.data.costNanos.get(c.span_id) ?? 0), 0) / 1e9,
      }))
      .sort((a, b) => b.cost_usd - a.cost_usd || a.provider.localeCompare(b.provider));
  }

  authPerDay(from: string, to: string): Array<{ day: string; event: string; success: boolean; events: number; unique_users: number }> {
    const groups = new Map<string, AuthRow[]>();
    for (const a of this.inWindow(this.data.auth, from, to)) {
      const key = `${utcDay(a.timestamp)}|${a.event}|${a.success}`;
      groups.set(key, [...(groups.get(key) ?? []), a]);
    }
    return [...groups.values()]
      .map((g) => ({ day: utcDay(g[0].timestamp), event: g[0].event, success: g[0].success, events: g.length, unique_users: new Set(g.map((a) => a.user_id).filter(Boolean)).size }))
      .sort((a, b) => a.day.localeCompare(b.day) || a.event.localeCompare(b.event) || Number(a.success) - Number(b.success));
  }

  /** Distinct users per UTC day over every table a user can appear in (dashboard audit rows are not users). */
  dailyActiveUsers(from: string, to: string): Array<{ day: string; active_users: number; requests: number }> {
    const users = new Map<string, Set<string>>();
    const requests = new Map<string, number>();
    const see = (ts: string, id: string): void => {
      const d = utcDay(ts);
      if (!users.has(d)) users.set(d, new Set());
      if (id) users.get(d)!.add(id);
    };
    for (const r of this.inWindow(this.data.access, from, to)) {
      see(r.timestamp, r.user_id);
      requests.set(utcDay(r.timestamp), (requests.get(utcDay(r.timestamp)) ?? 0) + 1);
    }
    for (const r of this.inWindow(this.data.auth, from, to)) see(r.timestamp, r.user_id);
    for (const r of this.inWindow(this.data.external, from, to)) see(r.timestamp, r.user_id);
    for (const r of this.inWindow(this.data.activities, from, to)) if (!['dashboard.read', 'admin.ack'].includes(r.action)) see(r.timestamp, r.user_id);
    return [...users.entries()].map(([day, set]) => ({ day, active_users: set.size, requests: requests.get(day) ?? 0 })).sort((a, b) => a.day.localeCompare(b.day));
  }

  totalRequests(from: string, to: string): number {
    return this.inWindow(this.data.access, from, to).length;
  }
}
