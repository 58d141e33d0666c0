/**
 * Hostile and odd attribute values (10 MB strings, SQL injection text, lone surrogates, control characters,
 * NaN, negatives, wrong types) never throw in the mappers and never fail a batch: they are stored capped, verbatim
 * where text, or as the column's default where a number or address makes no sense.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivitySpan, Attributes } from '../sdk/activity-span';
import { spanToRow } from '../exporter/rows/span-to-row';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate } from '../schemas/migrate';

const INJECTION = "'); DROP TABLE access_log; --";
const CONTROL = 'a\u0000b\u0001c\td\ne\rf\u001bg\u007fh';
const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

function span(attributes: Attributes, overrides: Partial<ActivitySpan> = {}): ActivitySpan {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: 'GET /x',
    kind: 1,
    startTimeMs: Date.UTC(2026, 10, 23, 9, 0, 0, 250),
    durationMs: 5,
    statusCode: 0,
    statusMessage: '',
    attributes,
    resource: { 'service.name': 'svc' },
    events: [],
    ...overrides,
  };
}

let dir: string;
let sink: EmbeddedSink;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mapping-hostile-'));
  sink = new EmbeddedSink({ dataDir: path.join(dir, 'data') });
  await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730 });
});
afterAll(async () => {
  await sink.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('hostile values', () => {
  it('stores injection text, control characters and a 10 MB value verbatim but capped, in one batch with normal rows', async () => {
    const hostile = spanToRow(
      span({
        'activity.kind': 'access',
        'http.request.method': 'GET',
        'http.route': INJECTION,
        'url.path': TEN_MB,
        'url.query': CONTROL,
        'user.id': INJECTION,
        'user_agent.original': '\uD800lone\uDC00 and pair \uD83D\uDE00',
        'error.message': TEN_MB,
        'x.huge': TEN_MB,
        [INJECTION]: CONTROL,
      }),
      { attributeMaxLength: 100 },
    );
    const normal = spanToRow(span({ 'activity.kind': 'access', 'http.request.method': 'POST', 'url.path': '/ok', 'http.response.status_code': 201 }));
    expect(hostile?.table).toBe('access_log');
    const result = await sink.insert('access_log', [hostile!.row, normal!.row], { dedupToken: 'hostile-1' });
    expect(result).toEqual({ ok: true });

    const rows = await sink.query<Record<string, unknown>>(
      "SELECT route, length(path) AS path_len, query, user_id, user_agent, length(error_message) AS err_len, attributes FROM access_log WHERE method = 'GET'",
    );
    expect(rows).toEqual([
      {
        route: INJECTION,
        path_len: 100,
        query: CONTROL,
        user_id: INJECTION,
        user_agent: '\uFFFDlone\uFFFD and pair \uD83D\uDE00',
        err_len: 100,
        attributes: { 'x.huge': 'x'.repeat(100), [INJECTION]: CONTROL },
      },
    ]);
    expect(await sink.query("SELECT path, status FROM access_log WHERE method = 'POST'")).toEqual([{ path: '/ok', status: 201 }]);
    expect(await sink.query("SELECT count() AS n FROM system.tables WHERE database = currentDatabase() AND name = 'access_log'")).toEqual([{ n: 1 }]);
  });

  it('turns NaN, negative, infinite, out-of-range and wrongly typed numbers into 0 and bad IPs into ::', async () => {
    const odd = spanToRow(
      span(
        {
          'activity.kind': 'external',
          'activity.external.service': 'openai',
          'http.request.method': 'POST',
          'http.response.status_code': Number.NaN,
          'http.request.body.size': -5,
          'http.response.body.size': Number.POSITIVE_INFINITY,
          'gen_ai.usage.input_tokens': 'many',
          'gen_ai.usage.output_tokens': 12.9,
          'activity.cost.usd': -0.5,
          'client.address': "1.2.3.4'); --",
        },
        { kind: 2, durationMs: Number.NaN, startTimeMs: Number.NaN, traceId: 42 as unknown as string },
      ),
    );
    const access = spanToRow(span({ 'activity.kind': 'access', 'http.request.method': 'GET', 'client.address': 'not-an-ip', 'http.response.status_code': 70_000 }));
    const auth = spanToRow(span({ 'activity.kind': 'auth', 'activity.auth.event': 'login', 'activity.auth.success': 'maybe', 'client.address': '[fe80::1%eth0]' }));

    expect(odd?.row).toMatchObject({ status: 0, request_bytes: 0, response_bytes: 0, input_tokens: 0, output_tokens: 12, cost_usd: 0, duration_ms: 0, trace_id: '42' });
    expect(access?.row).toMatchObject({ client_ip: '::', status: 0 });
    expect(auth?.row).toMatchObject({ client_ip: 'fe80::1', success: true });

    expect(await sink.insert('external_calls', [odd!.row], { dedupToken: 'odd-1' })).toEqual({ ok: true });
    expect(await sink.insert('auth_events', [auth!.row], { dedupToken: 'odd-2' })).toEqual({ ok: true });
    expect(await sink.query('SELECT status, input_tokens, output_tokens, toString(cost_usd) AS cost, duration_ms FROM external_calls')).toEqual([
      { status: 0, input_tokens: 0, output_tokens: 12, cost: '0', duration_ms: 0 },
    ]);
    expect(await sink.query('SELECT client_ip, success FROM auth_events')).toEqual([{ client_ip: 'fe80::1', success: true }]);
  });

  it('never throws on a span with missing or malformed parts', () => {
    const broken = {
      traceId: undefined,
      spanId: null,
      parentSpanId: 7,
      name: undefined,
      kind: 1,
      startTimeMs: -1,
      durationMs: -3,
      statusCode: 2,
      statusMessage: undefined,
      attributes: { 'activity.kind': 'custom', 'activity.details': { not: 'an attribute value' } as never },
      resource: {},
      events: [null, { name: 'exception' }],
    } as unknown as ActivitySpan;
    const routed = spanToRow(broken);
    expect(routed?.table).toBe('activities');
    expect(routed?.row).toMatchObject({ trace_id: '', span_id: '', action: '', details: '', service: '', client_ip: '::' });
    expect(spanToRow({ ...broken, attributes: { 'activity.kind': 'access' } })?.row).toMatchObject({ error_message: '', duration_ms: 0, method: '' });
    expect(spanToRow({ ...broken, attributes: { 'activity.kind': 'something-new' } })).toBeUndefined();
    expect(spanToRow({ ...broken, attributes: undefined as never })).toBeUndefined();
  });
});
