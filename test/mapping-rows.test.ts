/**
 * The pure span → row rules: routing on activity.kind with the HTTP fallback, where each column comes from
 * (and in which order of precedence), and what is left for the attributes map.
 */
import { describe, expect, it } from 'vitest';
import type { ActivitySpan, Attributes } from '../sdk/activity-span';
import { formatTimestamp, toClickHouseTime } from '../exporter/rows/format-timestamp';
import { capString } from '../exporter/rows/attribute-values';
import { spanToRow } from '../exporter/rows/span-to-row';

function span(attributes: Attributes, overrides: Partial<ActivitySpan> = {}): ActivitySpan {
  return {
    traceId: 'ABCDEF0123456789ABCDEF0123456789',
    spanId: '0123456789ABCDEF',
    parentSpanId: 'fedcba9876543210',
    name: 'span',
    kind: 1,
    startTimeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678) + 0.9,
    durationMs: 1.25,
    statusCode: 0,
    statusMessage: '',
    attributes,
    resource: { 'service.name': 'api', 'deployment.environment': 'prod-legacy' },
    events: [],
    ...overrides,
  };
}

describe('routing', () => {
  it('routes on activity.kind whatever the span kind', () => {
    expect(spanToRow(span({ 'activity.kind': 'auth' }, { kind: 0 }))?.table).toBe('auth_events');
    expect(spanToRow(span({ 'activity.kind': 'external' }, { kind: 1 }))?.table).toBe('external_calls');
    expect(spanToRow(span({ 'activity.kind': 'custom' }, { kind: 2 }))?.table).toBe('activities');
    expect(spanToRow(span({ 'activity.kind': 'access' }, { kind: 0 }))?.table).toBe('access_log');
  });

  it('falls back to SERVER/CLIENT + HTTP method without activity.kind, and ignores the rest', () => {
    expect(spanToRow(span({ 'http.request.method': 'GET' }, { kind: 1 }))?.table).toBe('access_log');
    expect(spanToRow(span({ 'http.request.method': 'GET' }, { kind: 2 }))?.table).toBe('external_calls');
    expect(spanToRow(span({ 'http.method': 'GET' }, { kind: 2 }))?.table).toBe('external_calls');
    expect(spanToRow(span({ 'http.request.method': 'GET' }, { kind: 0 }))).toBeUndefined();
    expect(spanToRow(span({ 'http.request.method': 'GET' }, { kind: 4 }))).toBeUndefined();
    expect(spanToRow(span({ 'db.system.name': 'postgresql' }, { kind: 2 }))).toBeUndefined();
    expect(spanToRow(span({}, { kind: 1 }))).toBeUndefined();
    expect(spanToRow(span({ 'activity.kind': 'billing', 'http.request.method': 'GET' }))).toBeUndefined();
  });
});

describe('columns', () => {
  it('takes timestamp, ids, service and the legacy environment key from the span and its resource', () => {
    const row = spanToRow(span({ 'activity.kind': 'access' }))!.row;
    expect(row).toMatchObject({
      timestamp: '2026-01-02 03:04:05.678',
      trace_id: 'abcdef0123456789abcdef0123456789',
      span_id: '0123456789abcdef',
      service: 'api',
      environment: 'prod-legacy',
    });
    const stable = spanToRow(span({ 'activity.kind': 'access' }, { resource: { 'service.name': 'api', 'deployment.environment.name': 'prod', 'deployment.environment': 'old' } }))!.row;
    expect(stable).toMatchObject({ environment: 'prod' });
  });

  it('takes the error message from error.message, else the exception event, else an ERROR status message', () => {
    const exception = { name: 'exception', timeMs: 0, attributes: { 'exception.message': 'from event' } };
    const base = { 'activity.kind': 'access' };
    const err = (attributes: Attributes, o: Partial<ActivitySpan>) => (spanToRow(span({ ...base, ...attributes }, o))!.row as { error_message: string }).error_message;
    expect(err({ 'error.message': 'from attribute' }, { events: [exception], statusCode: 2, statusMessage: 'from status' })).toBe('from attribute');
    expect(err({}, { events: [exception], statusCode: 2, statusMessage: 'from status' })).toBe('from event');
    expect(err({}, { statusCode: 2, statusMessage: 'from status' })).toBe('from status');
    expect(err({}, { statusCode: 1, statusMessage: 'ok message' })).toBe('');
  });

  it('uses url.path as the route when there is no http.route, and only the path part of a legacy http.target', () => {
    expect(spanToRow(span({ 'http.request.method': 'GET', 'url.path': '/a/b', 'url.query': 'q=1' }))!.row).toMatchObject({ route: '/a/b', path: '/a/b', query: 'q=1' });
    const legacy = spanToRow(span({ 'http.method': 'GET', 'http.target': '/x/1?token=secret', 'http.status_code': 404 }))!.row;
    expect(legacy).toMatchObject({ method: 'GET', route: '/x/1', path: '/x/1', query: '', status: 404, attributes: {} });
  });

  it('names the provider from activity.external.service, else gen_ai.provider.name, else the host', () => {
    const ext = (a: Attributes) => spanToRow(span({ 'activity.kind': 'external', ...a }, { kind: 2 }))!.row as { provider: string; host: string; parent_span_id: string };
    expect(ext({ 'activity.external.service': 'openai', 'gen_ai.provider.name': 'azure.ai.openai' }).provider).toBe('openai');
    expect(ext({ 'gen_ai.provider.name': 'gcp.gemini' }).provider).toBe('gcp.gemini');
    expect(ext({ 'url.full': 'https://api.stripe.com/v1/charges' })).toMatchObject({ provider: 'api.stripe.com', host: 'api.stripe.com', parent_span_id: 'fedcba9876543210' });
  });

  it('rounds cost to 9 decimals and takes numbers sent as text (OTLP int64)', () => {
    const row = spanToRow(span({ 'activity.kind': 'external', 'activity.cost.usd': 0.1 + 0.2, 'gen_ai.usage.input_tokens': '1500', 'http.response.status_code': '200' }))!.row;
    expect(row).toMatchObject({ cost_usd: 0.3, input_tokens: 1500, status: 200 });
  });

  it('derives auth success when the attribute is missing: login_failed and ERROR spans did not succeed', () => {
    const auth = (a: Attributes, o: Partial<ActivitySpan> = {}) => spanToRow(span({ 'activity.kind': 'auth', ...a }, o))!.row as { success: boolean; reason: string };
    expect(auth({ 'activity.auth.event': 'login' }).success).toBe(true);
    expect(auth({ 'activity.auth.event': 'login_failed' }).success).toBe(false);
    expect(auth({ 'activity.auth.event': 'signup' }, { statusCode: 2, statusMessage: 'email taken' })).toEqual(expect.objectContaining({ success: false, reason: 'email taken' }));
    expect(auth({ 'activity.auth.event': 'login', 'activity.auth.success': 'false', 'activity.auth.reason': 'locked' })).toEqual(expect.objectContaining({ success: false, reason: 'locked' }));
  });

  it('uses the span name as the action of a custom activity without activity.action', () => {
    expect(spanToRow(span({ 'activity.kind': 'custom' }, { name: 'invoice.paid' }))!.row).toMatchObject({ action: 'invoice.paid', details: '' });
  });

  it('keeps only attributes without a column of their own in the map, as text', () => {
    const row = spanToRow(span({ 'activity.kind': 'access', 'http.request.method': 'GET', 'user.id': 'u', 'feature.flag': true, 'retry.count': 3, tags: ['a', 'b'] }))!.row;
    expect(row.attributes).toEqual({ 'feature.flag': 'true', 'retry.count': '3', tags: '["a","b"]' });
  });

  it('caps every string at attributeMaxLength (never below 64), without splitting a surrogate pair', () => {
    const long = 'é'.repeat(200);
    expect((spanToRow(span({ 'activity.kind': 'access', 'url.path': long }), { attributeMaxLength: 100 })!.row as { path: string }).path).toBe('é'.repeat(100));
    expect((spanToRow(span({ 'activity.kind': 'access', 'url.path': long }), { attributeMaxLength: 10 })!.row as { path: string }).path).toBe('é'.repeat(64));
    expect(capString('ab\uD83D\uDE00', 3)).toBe('ab');
    expect(capString('ab\uD83D\uDE00', 4)).toBe('ab\uD83D\uDE00');
  });

  it('formats times in UTC with milliseconds, and replaces impossible times with the mapping time', () => {
    expect(formatTimestamp(0.5)).toBe('1970-01-01 00:00:00.000');
    expect(formatTimestamp(Date.UTC(2299, 11, 31, 23, 59, 59, 999))).toBe('2299-12-31 23:59:59.999');
    expect(formatTimestamp(Number.NaN, () => Date.UTC(2026, 10, 23))).toBe('2026-11-23 00:00:00.000');
    expect(formatTimestamp(-1, () => Date.UTC(2026, 10, 23))).toBe('2026-11-23 00:00:00.000');
    expect(formatTimestamp(Date.UTC(2300, 0, 1), () => Date.UTC(2026, 10, 23))).toBe('2026-11-23 00:00:00.000');
  });

  it('formats each time as the ISO form does, whichever second the time before it was in', () => {
    const base = Date.UTC(2026, 11, 4, 23, 59, 58, 0);
    // Within a second, across seconds, a minute, a day and a year, back to an earlier second, and before 1970.
    const times = [base, base + 7, base + 42, base + 999, base + 1000, base + 1001, base + 2500, base - 1, base + 7, 0, 1, -1, -999, -1000, -1001];
    times.push(Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), Date.UTC(2299, 11, 31, 23, 59, 59, 999));
    for (const ms of times) expect(toClickHouseTime(new Date(ms))).toBe(new Date(ms).toISOString().slice(0, 23).replace('T', ' '));
    for (const ms of times.filter((t) => t >= 0)) expect(formatTimestamp(ms)).toBe(toClickHouseTime(new Date(ms)));
    expect(() => toClickHouseTime(new Date(Number.NaN))).toThrow(RangeError);
  });
});
