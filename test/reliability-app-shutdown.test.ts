/**
 * App shutdown under load: an app under `--require otel-activity/register` is sent SIGTERM while clients are
 * hammering it; every request it answered before the signal must have its access span delivered (the pending
 * batch is flushed on the way out), and the app must end with the usual SIGTERM status.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startFixtureApp, type FixtureApp } from './helpers/fixture-app';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver';

const ROUNDS = Number(process.env.RELIABILITY_SHUTDOWN_ROUNDS ?? 3);
const LOAD_MS = Number(process.env.RELIABILITY_SHUTDOWN_LOAD_MS ?? 1500);
const WORKERS = 16;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

interface RoundResult {
  answeredBeforeSignal: number;
  answeredAfterSignal: number;
  deliveredBeforeSignal: number;
  deliveredAfterSignal: number;
  exit: { code: number | null; signal: NodeJS.Signals | null };
}

async function loadThenSigterm(receiver: OtlpReceiver, round: number): Promise<RoundResult> {
  const app: FixtureApp = await startFixtureApp({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: `shutdown-${round}` });
  cleanups.push(() => app.dispose());
  const before = new Set<string>();
  const after = new Set<string>();
  let signalled = false;
  let seq = 0;
  const worker = async () => {
    while (!signalled) {
      const path = `/items/r${round}-${seq++}`;
      try {
        const response = await fetch(`${app.baseUrl}${path}`);
        await response.arrayBuffer();
        if (response.status === 200) (signalled ? after : before).add(path);
      } catch {
        // The app went away mid-request: that request was never answered, so it owes us no span.
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, worker);
  await new Promise((r) => setTimeout(r, LOAD_MS));
  const stopping = app.stop('SIGTERM');
  signalled = true;
  const exit = await stopping;
  await Promise.all(workers);
  const delivered = new Set(
    receiver.spans.filter((s) => s.resource['service.name'] === `shutdown-${round}`).map((s) => String(s.attributes['url.path'])),
  );
  return {
    answeredBeforeSignal: before.size,
    answeredAfterSignal: after.size,
    deliveredBeforeSignal: [...before].filter((p) => delivered.has(p)).length,
    deliveredAfterSignal: [...after].filter((p) => delivered.has(p)).length,
    exit,
  };
}

describe('app SIGTERM under load', () => {
  it(`flushes the span of every request answered before SIGTERM (${ROUNDS} rounds of ${LOAD_MS} ms, ${WORKERS} clients)`, async () => {
    const receiver = await startOtlpReceiver();
    cleanups.push(() => receiver.close());
    const results: RoundResult[] = [];
    for (let round = 0; round < ROUNDS; round++) results.push(await loadThenSigterm(receiver, round));
    console.log(`[reliability] app SIGTERM under load: ${JSON.stringify(results)}`);
    for (const r of results) {
      expect(r.exit.signal).toBe('SIGTERM');
      expect(r.answeredBeforeSignal).toBeGreaterThan(20);
      expect(r.deliveredBeforeSignal).toBe(r.answeredBeforeSignal);
    }
  }, 120_000);
});
