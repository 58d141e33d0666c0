// An app that runs its own OpenTelemetry NodeSDK (its own exporter, instrumentation-http, a custom span), started
// without us, with otel-activity preloaded before its SDK, and after it: the app's pipeline gets exactly the spans
// it gets without us, no registration errors are printed, and otel-activity keeps every activity row, its external
// call parented on the stored access span.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTER_CJS } from './helpers/built-paths';
import { startRecordingTarget, type RecordingTarget } from './helpers/recording-target';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './helpers/otlp-receiver';
import { startPreloadedApp } from './helpers/preloaded-app';
import { waitUntil } from './helpers/wait-until';

const ROOT = path.resolve(__dirname, '..');
fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
// Inside the repo (git-ignored) so the app resolves @opentelemetry/sdk-node from the repo's node_modules.
const DIR = fs.mkdtempSync(path.join(ROOT, 'test-artifacts', 'beside-otel-'));

const TRACING = `
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const sdk = new NodeSDK({
  serviceName: 'app-own-pipeline',
  traceExporter: new OTLPTraceExporter({ url: process.env.APP_TRACES_URL }),
  instrumentations: [new HttpInstrumentation()],
});
sdk.start();
process.on('SIGTERM', () => sdk.shutdown().then(() => process.exit(0)));
`;

const APP = `
const http = require('node:http');
const { trace } = require('@opentelemetry/api');
const server = http.createServer((req, res) => {
  if (req.url === '/call') {
    // A custom span of the app's around an outbound call to a paid API.
    return trace.getTracer('app').startActiveSpan('price-lookup', (span) =>
      fetch(process.env.TARGET_URL).then((r) => r.text()).then((t) => { span.end(); res.end(t); }));
  }
  res.end('hello');
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

let ours: OtlpReceiver;
let theirs: OtlpReceiver;
let target: RecordingTarget;

beforeAll(async () => {
  fs.writeFileSync(path.join(DIR, 'tracing.js'), TRACING);
  fs.writeFileSync(path.join(DIR, 'app.js'), APP);
  ours = await startOtlpReceiver();
  theirs = await startOtlpReceiver();
  target = await startRecordingTarget('/v1/price', '{"price": 3}');
});

afterAll(async () => {
  await ours?.close();
  await theirs?.close();
  await target?.close();
  fs.rmSync(DIR, { recursive: true, force: true });
});

interface Run {
  readonly stderr: string;
  readonly ours: ReceivedSpan[];
  readonly theirs: ReceivedSpan[];
}

/** Starts the app with `preload`, sends 3 × /hello and 2 × /call, SIGTERMs it, and waits for both pipelines. */
async function runApp(preload: string[], expectOurs: number): Promise<Run> {
  ours.spans.length = 0;
  theirs.spans.length = 0;
  const app = await startPreloadedApp({
    cwd: DIR,
    args: [...preload, 'app.js'],
    env: {
      APP_TRACES_URL: `${theirs.url}/v1/traces`,
      TARGET_URL: target.url,
      OTEL_ACTIVITY_OTLP_ENDPOINT: ours.url,
      OTEL_ACTIVITY_BUFFER_DIR: path.join(DIR, `buffer-${preload.length}-${Date.now()}`),
      OTEL_ACTIVITY_EXTERNAL_SERVICES: '{"127.0.0.1": "priceapi"}',
      OTEL_SERVICE_NAME: 'shop',
    },
  });
  for (const p of ['/hello', '/hello', '/call', '/hello', '/call']) {
    const response = await fetch(`http://127.0.0.1:${app.port}${p}`);
    await response.text();
  }
  app.kill('SIGTERM');
  await app.exited;
  await waitUntil(() => ours.spans.length >= expectOurs, 15_000, `${expectOurs} spans of ours`);
  return { stderr: app.stderr(), ours: [...ours.spans], theirs: [...theirs.spans] };
}

const summary = (spans: ReceivedSpan[]) => spans.map((s) => s.name).sort();

describe('beside an app that runs its own OpenTelemetry NodeSDK', () => {
  let baseline: Run;

  beforeAll(async () => {
    baseline = await runApp(['--require', './tracing.js'], 0);
  });

  it('without otel-activity the app exports its server spans and its custom spans', () => {
    expect(summary(baseline.theirs)).toEqual(['GET', 'GET', 'GET', 'GET', 'GET', 'price-lookup', 'price-lookup']);
    expect(baseline.stderr).toBe('');
  });

  for (const [order, preload] of [
    ['otel-activity first', ['--require', REGISTER_CJS, '--require', './tracing.js']],
    ['the app SDK first', ['--require', './tracing.js', '--require', REGISTER_CJS]],
  ] as const) {
    it(`${order}: both pipelines get exactly their own spans, no registration errors, calls parented on the access row`, async () => {
      // 5 access spans + 2 external calls.
      const run = await runApp([...preload], 7);
      expect(summary(run.theirs)).toEqual(summary(baseline.theirs));
      expect(run.theirs.every((s) => s.resource['service.name'] === 'app-own-pipeline')).toBe(true);
      expect(run.stderr).toBe('');

      expect(summary(run.ours)).toEqual(['GET /call', 'GET /call', 'GET /hello', 'GET /hello', 'GET /hello', 'GET', 'GET'].sort());
      expect(run.ours.every((s) => s.resource['service.name'] === 'shop')).toBe(true);
      const calls = run.ours.filter((s) => s.attributes['activity.kind'] === 'external');
      expect(calls.map((s) => s.attributes['activity.external.service'])).toEqual(['priceapi', 'priceapi']);
      const accessById = new Map(run.ours.filter((s) => s.attributes['activity.kind'] === 'access').map((s) => [s.spanId, s]));
      for (const call of calls) {
        const access = accessById.get(call.parentSpanId);
        expect(access?.name).toBe('GET /call');
        expect(call.traceId).toBe(access?.traceId);
      }
    });
  }
});
