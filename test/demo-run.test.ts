/**
 * `npm run demo` end to end (built output, as on a fresh clone): it exits 0, prints the report, and the tables it
 * leaves in ./.otel-activity hold exactly the rows of the traffic it sent.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoTraffic, expectedRows } from '../demo/traffic-plan';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { DEMO_MAIN } from './helpers/built-paths';
import { runChild, type ChildRun } from './helpers/run-child';

const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-demo-'));
let run: ChildRun;
let sink: EmbeddedSink;

beforeAll(async () => {
  run = await runChild(process.execPath, [DEMO_MAIN], { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd }, timeoutMs: 120_000 });
  sink = new EmbeddedSink({ dataDir: path.join(cwd, '.otel-activity', 'data') });
}, 150_000);

afterAll(async () => {
  await sink?.close();
  fs.rmSync(cwd, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('exits 0 and prints the report with where the data lives', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const out = String(run.stdout);
    expect(out).toContain('Top routes');
    expect(out).toContain('Auth events');
    expect(out).toContain('LLM / external cost by provider');
    expect(out).toContain(`Data: ${path.join(cwd, '.otel-activity', 'data')} (embedded ClickHouse)`);
    expect(out).toContain('Rows stored: access_log 276, auth_events 24, external_calls 20, activities 40');
  });

  it('leaves exactly one row per request, auth event, LLM call and order it sent', async () => {
    const expected = expectedRows(demoTraffic());
    const counts: Record<string, number> = {};
    for (const table of Object.keys(expected)) counts[table] = Number((await sink.query<{ n: number }>(`SELECT count() AS n FROM ${table}`))[0]!.n);
    expect(counts).toEqual({ ...expected });
    expect(expected).toEqual({ access_log: 276, auth_events: 24, external_calls: 20, activities: 40 });
  });

  it('stores the planned auth outcomes: 9 failed logins, 4 logins, 4 signups and 2 failed ones, 4 logouts and 1 failed', async () => {
    const rows = await sink.query('SELECT event, success, count() AS n FROM auth_events GROUP BY event, success ORDER BY event, success');
    expect(rows).toEqual([
      { event: 'login', success: true, n: 4 },
      { event: 'login_failed', success: false, n: 9 },
      { event: 'logout', success: false, n: 1 },
      { event: 'logout', success: true, n: 4 },
      { event: 'signup', success: false, n: 2 },
      { event: 'signup', success: true, n: 4 },
    ]);
  });

  it('attributes each LLM call and its cost to the user who asked, with anonymised forwarded addresses', async () => {
    const cost = await sink.query(
      'SELECT user_id, count() AS calls, sum(input_tokens) AS input, sum(output_tokens) AS output, toString(sum(cost_usd)) AS usd FROM external_calls GROUP BY user_id ORDER BY user_id',
    );
    // gpt-4.1-mini at 0.40 / 1.60 USD per million tokens: 145 × 0.4e-6 + 279 × 1.6e-6 = 0.0005044.
    expect(cost).toEqual([
      { user_id: 'user-100', calls: 5, input: 145, output: 279, usd: '0.0005044' },
      { user_id: 'user-101', calls: 5, input: 144, output: 279, usd: '0.000504' },
      { user_id: 'user-102', calls: 5, input: 145, output: 279, usd: '0.0005044' },
      { user_id: 'user-103', calls: 5, input: 145, output: 279, usd: '0.0005044' },
    ]);
    const ips = await sink.query("SELECT DISTINCT toString(client_ip) AS ip FROM auth_events WHERE event = 'login_failed' ORDER BY ip");
    // 203.0.113.66 (the guesser) and 198.51.100.23 (bob's typo), with the last octet zeroed by the default ipMode.
    expect(ips).toEqual([{ ip: '::ffff:198.51.100.0' }, { ip: '::ffff:203.0.113.0' }]);
  });
});
