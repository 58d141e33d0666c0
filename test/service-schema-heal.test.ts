/**
 * Self-healing schema: after DROP TABLE access_log (and a rollup's view) behind the service's back, a restart
 * re-creates them from the migrations though schema_migrations lists every one, says so in its log, and ingest works
 * again, rollups included. Honest health: while requests cannot be stored /healthz answers 503 naming the cause.
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSpans, makeSpans, post } from './helpers/otlp-sender';
import { queryDataDir } from './helpers/stored-rows';
import { REPO_ROOT } from './helpers/built-paths';
import { requireBuiltCli, createService, type ServiceProcess } from './helpers/service-process';

let service: ServiceProcess;

beforeAll(async () => {
  requireBuiltCli();
  service = await createService({ env: { OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '100', OTEL_ACTIVITY_ALERT_INTERVAL_MS: '0' } });
  await service.start();
}, 90_000);

afterAll(async () => {
  await service?.dispose();
}, 60_000);

/** Runs statements on the data directory in a child process, as someone with the directory would. */
function runOnDataDir(dataDir: string, statements: readonly string[]): Promise<void> {
  const script = "const { Session } = require('chdb'); const s = new Session(process.argv[1]); for (const q of process.argv.slice(2)) s.query(q); s.close?.();";
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', script, dataDir, ...statements], { cwd: REPO_ROOT }, (error, _out, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve())),
  );
}

describe('self-healing schema', () => {
  it('re-creates a dropped access_log and rollup view at start; ingest and the rollup work again', async () => {
    const first = makeSpans(0x5c1, 0, 9, ['access']);
    expect((await post(service.tracesUrl, encodeSpans(first, 'protobuf'), { contentType: 'application/x-protobuf' })).status).toBe(200);
    expect((await service.stop()).code).toBe(0);
    await runOnDataDir(service.dataDir, ['DROP TABLE access_log', 'DROP VIEW access_client_daily_mv']);
    const versions = await queryDataDir<{ n: number }>(service.dataDir, 'SELECT count(DISTINCT version) AS n FROM schema_migrations');
    expect(Number(versions[0]!.n)).toBeGreaterThanOrEqual(13);

    await service.start();
    expect(service.output()).toContain('access_log, access_client_daily_mv missing though schema_migrations lists every migration; re-creating from the migrations');
    expect(service.output()).toContain('re-created access_log, access_client_daily_mv');
    expect((await service.healthz()).status).toBe(200);
    const spans = makeSpans(0x5c1, 100, 12, ['access']);
    const ids = spans.map((s) => s.spanContext().spanId);
    expect((await post(service.tracesUrl, encodeSpans(spans, 'protobuf'), { contentType: 'application/x-protobuf' })).status).toBe(200);
    expect(await service.waitForCount('SELECT count() AS n FROM access_log WHERE span_id IN {ids:Array(String)}', { ids }, 12)).toBe(12);
    // The rollups kept the first 9 and count the 12 new ones: the route rollup's view (never dropped) feeds from the
    // re-created table, the client rollup's view was re-created.
    expect(await service.waitForCount('SELECT sum(requests) AS n FROM access_route_daily', {}, 21)).toBe(21);
    expect(await service.waitForCount('SELECT sum(requests) AS n FROM access_client_daily', {}, 21)).toBe(21);
  }, 120_000);
});
