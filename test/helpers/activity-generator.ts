/**
 * Seeded random activity over the last ten days (requests, auth events, external calls, custom activities) and the
 * answers to the reports over any window, computed here in plain TypeScript from the generated rows, never read
 * back from the database: the independent truth the window and time-zone tests compare against.
 */
import type { AlertRecord } from '../../exporter/analytics/alert-store';
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
  /** Every version of every alert (open, then maybe acknowledged, then maybe resolved). */
  readonly alerts: AlertRecord[];
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
    // One model call in 20 has no known price: cost NULL, counted as unpriced, summed as 0 (migration 013).
    const unpriced = provider !== 'stripe' && rand() < 0.05;
    const nanos = provider === 'stripe' || unpriced ? 0 : rand() < 0.2 ? 160 : Math.floor(rand() * 30_000_000);
    const spanId = `c${i}`;
    costNanos.set(spanId, nanos);
    external.push({
      ...base, timestamp: chTime(when()), trace_id: `tc${i}`, span_id: spanId, parent_span_id: '', provider, call_kind: model ? 'llm' : 'http', method: 'POST', host: `${provider}.example`, url: 'https://x',
      status: rand() < 0.1 ? 500 : 200, duration_ms: Math.round(rand() * 2_000_000) / 1000, request_bytes: 1, response_bytes: 1, model,
      input_tokens: Math.floor(rand() * 4000), output_tokens: Math.floor(rand() * 800), cache_read_tokens: 0, cache_write_tokens: 0, reasoning_tokens: 0,
      cost_usd: unpriced ? null : nanos / 1e9, user_id: user(20, 0.2), session_id: '', error_message: '',
    });
    // Cached, cache-written and reasoning parts of a model call's tokens, from its own counts (no draw of rand(), so
    // every other generated value stays what it was).
    const call = external[external.length - 1];
    if (model) {
      call.cache_read_tokens = Math.floor(call.input_tokens / 3);
      call.cache_write_tokens = i % 4 === 0 ? Math.floor(call.input_tokens / 10) : 0;
      call.reasoning_tokens = Math.floor(call.output_tokens / 4);
    }
  }
  const activities: ActivityRow[] = [];
  for (let i = 0; i < counts.activities; i++) {
    const [action, resourceType] = pick(ACTIONS);
    // u25..u29 only ever record custom activities.
    const audit = rand() < 0.1;
    activities.push({
      ...base, ...(audit ? { service: 'otel-activity' } : {}), timestamp: chTime(when()), trace_id: `td${i}`, span_id: `d${i}`, user_id: audit ? 'admin' : user(30, 0.1), session_id: '',
      action: audit ? 'dashboard.read' : action, resource_type: audit ? 'report' : resourceType, resource_id: String(Math.floor(rand() * 10)),
      details: JSON.stringify({ n: i }), client_ip: '10.0.2.1', user_agent: 'Mozilla/5.0',
    });
  }
  const alerts: AlertRecord[] = [];
  for (let i = 0; i < 40; i++) {
    const created = when();
    const [rule, severity] = pick([['failed-login-burst-ip', 'warning'], ['cost-spike-user', 'critical'], ['error-rate-spike', 'warning']] as const);
    const open: AlertRecord = {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, created_at: chTime(created), updated_at: chTime(created), service: 'shop', rule, severity,
      status: 'open', subject: `subject-${Math.floor(rand() * 6)}`, value: 10, threshold: 5, details: '{}', acknowledged_by: '', acknowledged_at: null, resolved_at: null,
    };
    alerts.push(open);
    const r = rand();
    if (r < 0.6) {
      const ackAt = chTime(created + 60_000 * (1 + Math.floor(rand() * 90)));
      const acked: AlertRecord = { ...open, status: 'acknowledged', acknowledged_by: 'ops', acknowledged_at: ackAt, updated_at: ackAt };
      alerts.push(acked);
      if (r < 0.3) {
        const resolvedAt = chTime(Date.parse(`${ackAt.replace(' ', 'T')}Z`) + 3_600_000);
        alerts.push({ ...acked, status: 'resolved', resolved_at: resolvedAt, updated_at: resolvedAt });
      }
    }
  }
  return { access, auth, external, activities, costNanos, alerts, startMs, endMs: nowMs };
}

export async function insertGenerated(sink: Sink, data: GeneratedData): Promise<void> {
  // Three inserts per table, so the rollups hold several partial states per key that reads must merge.
  const tables = [['access_log', data.access], ['auth_events', data.auth], ['external_calls', data.external], ['activities', data.activities], ['alerts', data.alerts]] as const;
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

  routeUsersPerDay(from: string, to: string): Array<{ day: string; service: string; method: string; route: string; unique_users: number; requests: number }> {
    const groups = new Map<string, AccessRow[]>();
    for (const r of this.inWindow(this.data.access, from, to)) {
      const key = `${utcDay(r.timestamp)}|${r.method}|${r.route}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    return [...groups.values()]
      .map((g) => ({ day: utcDay(g[0].timestamp), service: 'shop', method: g[0].method, route: g[0].route, unique_users: new Set(g.map((r) => r.user_id).filter(Boolean)).size, requests: g.length }))
      .sort((a, b) => a.day.localeCompare(b.day) || b.unique_users - a.unique_users || a.method.localeCompare(b.method) || a.route.localeCompare(b.route));
  }

  costByProvider(from: string, to: string): Array<{ provider: string; calls: number; unpriced_calls: number; input_tokens: number; output_tokens: number; cost_usd: number; cache_read_tokens: number; cache_write_tokens: number; reasoning_tokens: number }> {
    const groups = new Map<string, ExternalCallRow[]>();
    for (const c of this.inWindow(this.data.external, from, to)) groups.set(c.provider, [...(groups.get(c.provider) ?? []), c]);
    return [...groups.values()]
      .map((g) => ({
        provider: g[0].provider, calls: g.length, unpriced_calls: g.filter((c) => c.cost_usd === null).length, input_tokens: g.reduce((s, c) => s + c.input_tokens, 0), output_tokens: g.reduce((s, c) => s + c.output_tokens, 0),
        cost_usd: g.reduce((s, c) => s + (this.data.costNanos.get(c.span_id) ?? 0), 0) / 1e9,
        cache_read_tokens: g.reduce((s, c) => s + c.cache_read_tokens, 0),
        cache_write_tokens: g.reduce((s, c) => s + c.cache_write_tokens, 0),
        reasoning_tokens: g.reduce((s, c) => s + c.reasoning_tokens, 0),
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
    for (const r of this.inWindow(this.data.activities, from, to)) if (!isAudit(r)) see(r.timestamp, r.user_id);
    return [...users.entries()].map(([day, set]) => ({ day, active_users: set.size, requests: requests.get(day) ?? 0 })).sort((a, b) => a.day.localeCompare(b.day));
  }

  /** Distinct users over the whole window, from every table (dashboard audit rows are not users). */
  activeUsers(from: string, to: string): number {
    const ids = [...this.inWindow(this.data.access, from, to), ...this.inWindow(this.data.auth, from, to), ...this.inWindow(this.data.external, from, to)].map((r) => r.user_id);
    for (const a of this.inWindow(this.data.activities, from, to)) if (!isAudit(a)) ids.push(a.user_id);
    return new Set(ids.filter(Boolean)).size;
  }

  totalRequests(from: string, to: string): number {
    return this.inWindow(this.data.access, from, to).length;
  }

  activities(from: string, to: string, filter: { user?: string; action?: string; resource_type?: string; resource_id?: string; include_audit?: boolean } = {}): Array<Record<string, unknown>> {
    return this.inWindow(this.data.activities, from, to)
      .filter((a) => (!filter.user || a.user_id === filter.user) && (!filter.action || a.action === filter.action))
      .filter((a) => (!filter.resource_type || a.resource_type === filter.resource_type) && (!filter.resource_id || a.resource_id === filter.resource_id))
      .filter((a) => filter.include_audit || !isAudit(a))
      .sort((a, b) => b.timestamp.localeCompare(a.timestamp) || a.span_id.localeCompare(b.span_id))
      .slice(0, 100)
      .map((a) => ({ timestamp: a.timestamp, user_id: a.user_id, session_id: a.session_id, action: a.action, resource_type: a.resource_type, resource_id: a.resource_id, details: a.details, ip: a.client_ip }));
  }

  activityCounts(from: string, to: string, by: 'action' | 'user' | 'resource_type'): Array<{ day: string; key: string; activities: number; unique_users: number }> {
    const groups = new Map<string, ActivityRow[]>();
    for (const a of this.inWindow(this.data.activities, from, to).filter((x) => !isAudit(x))) {
      const key = by === 'action' ? a.action : by === 'resource_type' ? a.resource_type : a.user_id || '(anonymous)';
      groups.set(`${utcDay(a.timestamp)}|${key}`, [...(groups.get(`${utcDay(a.timestamp)}|${key}`) ?? []), a]);
    }
    return [...groups.entries()]
      .map(([k, g]) => ({ day: k.slice(0, 10), key: k.slice(11), activities: g.length, unique_users: new Set(g.map((a) => a.user_id).filter(Boolean)).size }))
      .sort((a, b) => a.day.localeCompare(b.day) || b.activities - a.activities || a.key.localeCompare(b.key));
  }

  trends(from: string, to: string, period: 'day' | 'week' | 'month'): Array<Record<string, unknown>> {
    const bucketOf = (ts: string): string => periodStart(utcDay(ts), period);
    const buckets = new Map<string, { requests: number; users: Set<string>; errors: number; auth_events: number; nanos: number }>();
    const get = (ts: string) => {
      const b = bucketOf(ts);
      if (!buckets.has(b)) buckets.set(b, { requests: 0, users: new Set(), errors: 0, auth_events: 0, nanos: 0 });
      return buckets.get(b)!;
    };
    for (const r of this.inWindow(this.data.access, from, to)) {
      const b = get(r.timestamp);
      b.requests++;
      if (r.status >= 500) b.errors++;
      if (r.user_id) b.users.add(r.user_id);
    }
    for (const r of this.inWindow(this.data.auth, from, to)) {
      const b = get(r.timestamp);
      b.auth_events++;
      if (r.user_id) b.users.add(r.user_id);
    }
    for (const r of this.inWindow(this.data.external, from, to)) {
      const b = get(r.timestamp);
      b.nanos += this.data.costNanos.get(r.span_id) ?? 0;
      if (r.user_id) b.users.add(r.user_id);
    }
    for (const r of this.inWindow(this.data.activities, from, to).filter((x) => !isAudit(x))) {
      const b = get(r.timestamp);
      if (r.user_id) b.users.add(r.user_id);
    }
    const rows = [...buckets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([bucket, b]) => ({
      bucket, requests: b.requests, users: b.users.size, errors: b.errors, auth_events: b.auth_events, cost_usd: b.nanos / 1e9,
    }));
    const change = (cur: number, prev: number | undefined): number | null => (prev === undefined || prev <= 0 ? null : roundHalfEven((cur - prev) / prev, 4));
    return rows.map((r, i) => {
      const prev = i > 0 && rows[i - 1].bucket === previousPeriod(r.bucket, period) ? rows[i - 1] : undefined;
      return {
        ...r,
        requests_change_ratio: change(r.requests, prev?.requests), users_change_ratio: change(r.users, prev?.users), errors_change_ratio: change(r.errors, prev?.errors),
        auth_events_change_ratio: change(r.auth_events, prev?.auth_events), cost_change_ratio: change(r.cost_usd, prev?.cost_usd),
      };
    });
  }

  engagement(from: string, to: string, lookbackDays = 30): Array<Record<string, unknown>> {
    const lookbackFrom = chTime(Date.parse(`${from.replace(' ', 'T')}Z`) - lookbackDays * DAY_MS);
    const firstDay = new Map<string, string>();
    for (const r of this.inWindow(this.data.access, lookbackFrom, to)) {
      if (r.user_id && (!firstDay.has(r.user_id) || utcDay(r.timestamp) < firstDay.get(r.user_id)!)) firstDay.set(r.user_id, utcDay(r.timestamp));
    }
    const days = new Map<string, AccessRow[]>();
    for (const r of this.inWindow(this.data.access, from, to)) days.set(utcDay(r.timestamp), [...(days.get(utcDay(r.timestamp)) ?? []), r]);
    return [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).filter(([, rows]) => rows.some((r) => r.session_id || r.user_id)).map(([day, rows]) => {
      const sessions = new Map<string, number[]>();
      for (const r of rows) if (r.session_id) sessions.set(r.session_id, [...(sessions.get(r.session_id) ?? []), Date.parse(`${r.timestamp.replace(' ', 'T')}Z`)]);
      const sessionRequests = rows.filter((r) => r.session_id).length;
      const lengths = [...sessions.values()].map((t) => Math.max(...t) - Math.min(...t));
      const users = new Set(rows.map((r) => r.user_id).filter(Boolean));
      const newUsers = [...users].filter((u) => firstDay.get(u) === day).length;
      return {
        day, sessions: sessions.size, requests_per_session: sessions.size ? round3(sessionRequests / sessions.size) : 0,
        avg_session_minutes: lengths.length ? round3(lengths.reduce((a, b) => a + b, 0) / lengths.length / 60000) : 0,
        users: users.size, new_users: newUsers, returning_users: users.size - newUsers,
      };
    });
  }

  /** Requests per bucket of `minutes`, buckets counted from Monday 1970-01-05 UTC; avg_ms over whole microseconds. */
  throughput(from: string, to: string, minutes: number): Array<Record<string, unknown>> {
    const size = minutes * 60_000;
    const monday = 4 * DAY_MS;
    const groups = new Map<number, AccessRow[]>();
    for (const r of this.inWindow(this.data.access, from, to)) {
      const t = Date.parse(`${r.timestamp.replace(' ', 'T')}Z`);
      const b = Math.floor((Math.floor(t / 1000) * 1000 - monday) / size) * size + monday;
      groups.set(b, [...(groups.get(b) ?? []), r]);
    }
    return [...groups.entries()].sort(([a], [b]) => a - b).map(([b, g]) => ({
      bucket: new Date(b).toISOString().replace('T', ' ').slice(0, 19), requests: g.length, errors: g.filter((r) => r.status >= 500).length,
      client_errors: g.filter((r) => r.status >= 400 && r.status < 500).length,
      avg_ms: roundHalfEven(g.reduce((s, r) => s + Math.round(r.duration_ms * 1000), 0) / g.length / 1000, 3),
    }));
  }

  /** Alerts raised in the window, per rule and severity, from their newest versions. */
  alertHistory(from: string, to: string): Array<Record<string, unknown>> {
    const latest = new Map<string, AlertRecord>();
    for (const a of this.data.alerts) if (!latest.has(a.id) || a.updated_at > latest.get(a.id)!.updated_at) latest.set(a.id, a);
    const groups = new Map<string, AlertRecord[]>();
    for (const a of [...latest.values()].filter((x) => x.created_at >= from && x.created_at < to)) groups.set(`${a.rule}|${a.severity}`, [...(groups.get(`${a.rule}|${a.severity}`) ?? []), a]);
    return [...groups.values()].map((g) => {
      const acked = g.filter((a) => a.acknowledged_at !== null);
      const ms = (t: string) => Date.parse(`${t.replace(' ', 'T')}Z`);
      return {
        rule: g[0].rule, severity: g[0].severity, raised: g.length, subjects: new Set(g.map((a) => a.subject)).size, acknowledged: acked.length,
        resolved: g.filter((a) => a.status === 'resolved').length, still_open: g.filter((a) => a.status === 'open').length,
        avg_minutes_to_ack: acked.length ? round3(acked.reduce((s, a) => s + ms(a.acknowledged_at!) - ms(a.created_at), 0) / acked.length / 60000) : null,
        first_raised: g.map((a) => a.created_at).sort()[0], last_raised: g.map((a) => a.created_at).sort().at(-1),
      };
    }).sort((a, b) => b.raised - a.raised || a.rule.localeCompare(b.rule) || a.severity.localeCompare(b.severity));
  }
}

/** The service records its own dashboard and admin API use as activities of service 'otel-activity': not app users. */
const isAudit = (a: ActivityRow): boolean => a.service === 'otel-activity';
const round3 = (x: number): number => roundHalfEven(x, 3);

/** ClickHouse's round() of a Float64: scale, round half to even (nearbyint), scale back. */
function roundHalfEven(x: number, digits: number): number {
  const f = 10 ** digits;
  const y = x * f;
  const r = Math.round(y);
  return (Math.abs(y - Math.trunc(y)) === 0.5 ? 2 * Math.round(y / 2) : r) / f;
}

/** The UTC day, ISO week (its Monday) or month (its 1st) a 'YYYY-MM-DD' day belongs to. */
function periodStart(day: string, period: 'day' | 'week' | 'month'): string {
  if (period === 'day') return day;
  if (period === 'month') return `${day.slice(0, 7)}-01`;
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * DAY_MS).toISOString().slice(0, 10);
}

function previousPeriod(bucket: string, period: 'day' | 'week' | 'month'): string {
  const d = new Date(`${bucket}T00:00:00Z`);
  if (period === 'month') d.setUTCMonth(d.getUTCMonth() - 1);
  else d.setUTCDate(d.getUTCDate() - (period === 'week' ? 7 : 1));
  return d.toISOString().slice(0, 10);
}
