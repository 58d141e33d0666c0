// Every way an app ends, and an endpoint that is away: N requests answered before the exit are N spans received,
// each once. The app is a real child under `node --require`; the exits are the ones real services have (their own
// SIGTERM handler calling process.exit() at once, process.exit() anywhere, an uncaught exception, an unhandled
// rejection); the outage is the OTLP endpoint not listening while the app serves, then coming back.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTER_CJS } from './helpers/built-paths';
import { freePort } from './helpers/free-port';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver';
import { startPreloadedApp, type PreloadedApp } from './helpers/preloaded-app';
import { activityDatabase, queryDataDir } from './helpers/stored-rows';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-exits-'));

const APP = `
const http = require('node:http');
const mode = process.env.EXIT_MODE;
const server = http.createServer((req, res) => {
  req.resume();
  if (req.url === '/end') {
    res.end('bye');
    if (mode === 'exit-anywhere') setImmediate(() => process.exit(0));
    if (mode === 'uncaught') setImmediate(() => { throw new Error('unexpected state'); });
    if (mode === 'rejection') setImmediate(() => { Promise.reject(new Error('nobody awaits this')); });
    return;
  }
  res.end('ok ' + req.url);
});
if (mode === 'own-sigterm-exit') process.on('SIGTERM', () => process.exit(0));
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

function startApp(endpoint: string, env: Record<string, string>): Promise<PreloadedApp> {
  return startPreloadedApp({
    cwd: DIR,
    args: ['--require', REGISTER_CJS, 'app.js'],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_SERVICE_NAME: 'exit-app', ...env },
  });
}

/** `count` requests, `concurrency` at a time; resolves with how many were answered 200. */
async function load(port: number, count: number, concurrency: number, first = 0): Promise<number> {
  let next = first;
  count += first;
  let answered = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const response = await fetch(`http://127.0.0.1:${port}/orders/${i}`);
      await response.text();
      if (response.status === 200) answered++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answered;
}

function accessSpanIds(receiver: OtlpReceiver): string[] {
  return receiver.spans.filter((s) => s.attributes['activity.kind'] === 'access' && s.attributes['url.path'] !== '/end').map((s) => s.spanId);
}

let receiver: OtlpReceiver;

beforeAll(async () => {
  fs.writeFileSync(path.join(DIR, 'app.js'), APP);
  receiver = await startOtlpReceiver();
});

afterAll(async () => {
  await receiver?.close();
  fs.rmSync(DIR, { recursive: true, force: true });
});

const N = 200;

describe('no exit path loses what was recorded', () => {
  for (const mode of ['own-sigterm-exit', 'exit-anywhere', 'uncaught', 'rejection'] as const) {
    it(`${mode}: ${N} requests answered before the exit are ${N} spans received`, async () => {
      receiver.spans.length = 0;
      const bufferDir = path.join(DIR, `buffer-${mode}`);
      const app = await startApp(receiver.url, { EXIT_MODE: mode, OTEL_ACTIVITY_BUFFER_DIR: bufferDir });
      expect(await load(app.port, N, 8)).toBe(N);
      if (mode === 'own-sigterm-exit') app.kill('SIGTERM');
      else await (await fetch(`http://127.0.0.1:${app.port}/end`)).text();
      const { code } = await app.exited;
      expect(code).toBe(mode === 'own-sigterm-exit' || mode === 'exit-anywhere' ? 0 : 1);
      await expect.poll(() => new Set(accessSpanIds(receiver)).size, { timeout: 20_000, interval: 100 }).toBe(N);
      console.log(`[reliability] app exit ${mode}: ${N} answered, ${N} received, ${accessSpanIds(receiver).length - N} received twice`);
      // Nothing is left behind once the detached sender is done.
      await expect.poll(() => fs.readdirSync(bufferDir).length, { timeout: 10_000, interval: 100 }).toBe(0);
    });
  }

  it('an endpoint away while the app serves: nothing lost, sent in order when it is back, also across a SIGTERM', async () => {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const bufferDir = path.join(DIR, 'buffer-outage');
    // Short retry waits are not configurable: the defaults (1 s, doubling to 15 s) are what is tested.
    const app = await startApp(endpoint, { OTEL_ACTIVITY_BUFFER_DIR: bufferDir });
    // 50 requests/s for 6 s with nothing listening.
    const started = Date.now();
    let answered = 0;
    for (let second = 0; second < 6; second++) {
      answered += await load(app.port, 50, 5, second * 50);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (second + 1) * 1000 - Date.now())));
    }
    expect(answered).toBe(300);
    // SIGTERM during the outage: what is buffered stays on disk for the detached sender.
    app.kill('SIGTERM');
    await app.exited;
    const back = await startOtlpReceiver(port);
    try {
      await expect.poll(() => new Set(accessSpanIds(back)).size, { timeout: 30_000, interval: 200 }).toBe(300);
      // In order: batches arrive oldest first and hold spans in the order they ended. The SDK dates each span's end
      // from its own wall-clock start plus a monotonic duration, so consecutive ends can step back by a fraction of
      // a millisecond (0.26 ms seen); batches out of order would step back by a second or more.
      const CLOCK_ANCHOR_NS = 5_000_000n;
      const ends = back.spans.filter((s) => s.attributes['activity.kind'] === 'access').map((s) => BigInt(s.endTimeUnixNano));
      expect(ends.every((end) => end > 0n)).toBe(true);
      expect(ends.filter((end, i) => i > 0 && end < ends[i - 1] - CLOCK_ANCHOR_NS)).toEqual([]);
    } finally {
      await back.close();
    }
  });

  it('an unwritable buffer directory (a read-only container): the app serves, warns once, and still sends', async () => {
    receiver.spans.length = 0;
    const notADir = path.join(DIR, 'a-regular-file');
    fs.writeFileSync(notADir, '');
    const app = await startApp(receiver.url, { OTEL_ACTIVITY_BUFFER_DIR: path.join(notADir, 'buffer') });
    expect(await load(app.port, 20, 4)).toBe(20);
    app.kill('SIGTERM');
    await app.exited;
    expect(new Set(accessSpanIds(receiver)).size).toBe(20);
    expect(app.stderr().split('\n').filter((l) => l.includes('otel-activity:'))).toEqual([
      expect.stringMatching(/^otel-activity: cannot use .*a-regular-file\/buffer for unsent spans \(ENOTDIR.*\); keeping them in memory only$/),
    ]);
  });

  it('in-process mode: process.exit() at once keeps every request, stored by the next start', async () => {
    const dataDir = path.join(DIR, 'inprocess', 'data');
    const env = {
      OTEL_ACTIVITY_EXPORT: 'inprocess',
      OTEL_ACTIVITY_DATA_DIR: dataDir,
      OTEL_ACTIVITY_BUFFER_DIR: path.join(DIR, 'inprocess', 'buffer'),
      OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '50',
    };
    const first = await startApp(receiver.url, { ...env, EXIT_MODE: 'exit-anywhere' });
    expect(await load(first.port, 40, 4)).toBe(40);
    await (await fetch(`http://127.0.0.1:${first.port}/end`)).text();
    // Known gap (README): under load chDB's native teardown has ended such an exit with SIGSEGV (1 run in ~7),
    // after our 'exit' hand-off ran; what matters here is that nothing recorded is lost either way.
    const exit = await first.exited;
    expect(exit.code === 0 || exit.signal === 'SIGSEGV').toBe(true);
    // The next start sends what the exit left in the buffer; its SIGTERM flush makes it durable.
    const bufferDir = env.OTEL_ACTIVITY_BUFFER_DIR;
    expect(fs.readdirSync(bufferDir).length).toBeGreaterThan(0);
    const second = await startApp(receiver.url, env);
    await expect.poll(() => fs.readdirSync(bufferDir).length, { timeout: 30_000, interval: 100 }).toBe(0);
    second.kill('SIGTERM');
    await second.exited;
    const database = await activityDatabase(dataDir);
    const rows = await queryDataDir<{ stored: number; distinct_ids: number }>(
      dataDir,
      `SELECT count() AS stored, uniqExact(span_id) AS distinct_ids FROM ${database}.access_log WHERE path LIKE '/orders/%'`,
    );
    expect(rows).toEqual([{ stored: 40, distinct_ids: 40 }]);
    // Two starts of an app with chDB inside (migrations on the first): slow on a loaded machine.
  }, 180_000);
});
