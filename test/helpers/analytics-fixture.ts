/**
 * Deterministic activity rows for the analytics tests (queries, CLI, dashboard): two days of requests, auth events
 * and external calls, with the expected answers computed here in plain TypeScript, independently of any SQL.
 */
import type { AccessRow, AuthRow, ExternalCallRow } from '../../exporter/rows/row-types';
import type { Sink } from '../../exporter/sinks/sink';

export const DAY1 = '2026-03-10';
export const DAY2 = '2026-03-11';
/** The whole fixture lies in [WINDOW_FROM, WINDOW_TO). */
export const WINDOW_FROM = '2026-03-10 00:00:00.000';
export const WINDOW_TO = '2026-03-12 00:00:00.000';

export const HOSTILE_UA = '<img src=x onerror="window.__xss=1">';

const ROUTES = [
  { method: 'GET', route: '/api/products', path: '/api/products' },
  { method: 'GET', route: '/api/products/:id', path: '/api/products/17' },
  { method: 'POST', route: '/api/orders', path: '/api/orders' },
  { method: 'GET', route: '/admin/users', path: '/admin/users' },
];

function at(day: string, seconds: number): string {
  const d = new Date(`${day}T00:00:00.000Z`);
  d.setUTCMilliseconds(seconds * 1000);
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

function access(partial: Partial<AccessRow> & Pick<AccessRow, 'timestamp' | 'route' | 'method' | 'path'>, i: number): AccessRow {
  return {
    trace_id: `t${String(i).padStart(6, '0')}`,
    span_id: `s${String(i).padStart(6, '0')}`,
    service: 'shop',
    environment: 'test',
    query: '',
    status: 200,
    duration_ms: 10,
    request_bytes: 100,
    response_bytes: 1000,
    user_id: '',
    session_id: '',
    client_ip: '10.0.0.1',
    user_agent: 'Mozilla/5.0 Firefox/120.0',
    browser: 'Firefox',
    os: 'Linux',
    device_type: 'desktop',
    error_message: '',
    attributes: {},
    ...partial,
  };
}

export interface Fixture {
  access: AccessRow[];
  auth: AuthRow[];
  external: ExternalCallRow[];
}

/** 120 requests over two days: users u1..u4 and anonymous, sessions per user per day, a few 4xx/5xx. */
export function buildFixture(): Fixture {
  const accessRows: AccessRow[] = [];
  let i = 0;
  for (const [dayIndex, day] of [DAY1, DAY2].entries()) {
    for (let n = 0; n < 60; n++) {
      const r = ROUTES[n % ROUTES.length];
      const userNo = n % 5; // 0 = anonymous
      const user = userNo === 0 ? '' : `u${userNo}`;
      const status = n % 17 === 0 ? 500 : n % 11 === 0 ? 404 : n % 13 === 0 ? 302 : 200;
      accessRows.push(
        access(
          {
            timestamp: at(day, 9 * 3600 + n * 60 + dayIndex),
            ...r,
            status,
            duration_ms: 5 + ((n * 7) % 40) + dayIndex,
            user_id: user,
            session_id: user ? `sess-${user}-${day}` : `anon-${n % 3}`,
            client_ip: user ? `10.0.${userNo}.${dayIndex + 1}` : '203.0.113.9',
            browser: n % 3 === 0 ? 'Chrome' : 'Firefox',
            os: n % 4 === 0 ? 'Android' : 'Linux',
            device_type: n % 4 === 0 ? 'mobile' : 'desktop',
            user_agent: n === 59 && dayIndex === 1 ? HOSTILE_UA : 'Mozilla/5.0',
          },
          i++,
        ),
      );
    }
  }
  const auth: AuthRow[] = [];
  const authRow = (timestamp: string, event: string, success: boolean, user: string, ip: string): AuthRow => ({
    timestamp,
    trace_id: `a${auth.length}`,
    span_id: `as${auth.length}`,
    service: 'shop',
    environment: 'test',
    event,
    success,
    user_id: user,
    session_id: '',
    method: 'password',
    reason: success ? '' : 'bad_password',
    client_ip: ip,
    user_agent: 'Mozilla/5.0',
    device_type: 'desktop',
    attributes: {},
  });
  auth.push(authRow(at(DAY1, 8 * 3600), 'signup', true, 'u1', '10.0.1.1'));
  auth.push(authRow(at(DAY1, 8 * 3600 + 5), 'signup', true, 'u2', '10.0.2.1'));
  auth.push(authRow(at(DAY1, 8 * 3600 + 10), 'login', true, 'u1', '10.0.1.1'));
  auth.push(authRow(at(DAY2, 8 * 3600), 'login', true, 'u2', '10.0.2.2'));
  auth.push(authRow(at(DAY2, 8 * 3600 + 1), 'login', true, 'u3', '10.0.3.2'));
  for (let k = 0; k < 6; k++) auth.push(authRow(at(DAY2, 7 * 3600 + k), 'login_failed', false, k < 4 ? 'u4' : 'u3', '198.51.100.7'));
  auth.push(authRow(at(DAY1, 7 * 3600), 'login_failed', false, 'u2', '10.0.2.1'));
  auth.push(authRow(at(DAY2, 9 * 3600), 'logout', true, 'u1', '10.0.1.2'));

  const external: ExternalCallRow[] = [];
  const call = (timestamp: string, provider: string, model: string, user: string, status: number, duration: number, inTok: number, outTok: number, cost: number): void => {
    external.push({
      timestamp,
      trace_id: `e${external.length}`,
      span_id: `es${external.length}`,
      parent_span_id: '',
      service: 'shop',
      environment: 'test',
      provider,
      call_kind: model === '' ? 'http' : 'llm',
      method: 'POST',
      host: `${provider}.example`,
      url: `https://${provider}.example/v1`,
      status,
      duration_ms: duration,
      request_bytes: 500,
      response_bytes: 800,
      model,
      input_tokens: inTok,
      output_tokens: outTok,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      reasoning_tokens: 0,
      cost_usd: cost,
      user_id: user,
      session_id: '',
      error_message: status >= 400 ? 'upstream error' : '',
      attributes: {},
    });
  };
  call(at(DAY1, 10 * 3600), 'openai', 'gpt-4o-mini', 'u1', 200, 300, 1000, 200, 0.00027);
  call(at(DAY1, 10 * 3600 + 60), 'openai', 'gpt-4o', 'u2', 200, 900, 2000, 500, 0.01);
  call(at(DAY2, 10 * 3600), 'openai', 'gpt-4o', 'u1', 500, 100, 0, 0, 0);
  call(at(DAY2, 10 * 3600 + 60), 'anthropic', 'claude-3-5-haiku', 'u1', 200, 700, 1500, 300, 0.0024);
  call(at(DAY2, 10 * 3600 + 120), 'stripe', '', 'u3', 200, 150, 0, 0, 0);
  return { access: accessRows, auth, external };
}

export async function insertFixture(sink: Sink, fixture: Fixture): Promise<void> {
  // Two inserts per table so rollups hold several parts/states that reads must merge.
  for (const [table, rows] of [['access_log', fixture.access], ['auth_events', fixture.auth], ['external_calls', fixture.external]] as const) {
    const half = Math.ceil(rows.length / 2);
    for (const [k, chunk] of [rows.slice(0, half), rows.slice(half)].entries()) {
      const result = await sink.insert(table, chunk, { dedupToken: `fixture-${table}-${k}` });
      if (!result.ok) throw result.error;
    }
  }
}

/** Groups rows by a key and folds each group. */
export function groupBy<T, R>(rows: readonly T[], key: (row: T) => string, fold: (rows: T[], key: string) => R): R[] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    groups.set(k, [...(groups.get(k) ?? []), row]);
  }
  return [...groups.entries()].map(([k, g]) => fold(g, k));
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
