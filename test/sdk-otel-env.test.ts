// The standard OTEL_* variables mean what the OTel spec says, for an unmodified app under `node --require`:
// the per-signal traces endpoint is used as given, OTEL_TRACES_EXPORTER picks none / console, OTEL_PROPAGATORS picks
// the format read and written, OTEL_SDK_DISABLED is case-insensitive, every OTEL_RESOURCE_ATTRIBUTES entry reaches
// the span and the row, and a value we cannot honour (grpc, a bad OTEL_LOG_LEVEL) is warned about once with a
// working fallback.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spanToRow } from '../exporter/rows/span-to-row';
import { REGISTER_CJS } from './helpers/built-paths';
import { startRecordingTarget, type RecordingTarget } from './helpers/recording-target';
import { startOtlpReceiver, type OtlpReceiver } from './helpers/otlp-receiver';
import { startPreloadedApp } from './helpers/preloaded-app';

const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-env-'));

const APP = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  if (req.url === '/call') return fetch(process.env.TARGET_URL).then((r) => r.text()).then((t) => res.end(t));
  res.end('ok');
});
server.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;

let receiver: OtlpReceiver;
let target: RecordingTarget;

beforeAll(async () => {
  fs.writeFileSync(path.join(DIR, 'app.js'), APP);
  receiver = await startOtlpReceiver();
  target = await startRecordingTarget('/v1/thing', 'ok');
});

afterAll(async () => {
  await receiver?.close();
  await target?.close();
  fs.rmSync(DIR, { recursive: true, force: true });
});

beforeEach(() => {
  receiver.spans.length = 0;
  receiver.raw.length = 0;
  target.headers.length = 0;
});

/** Runs the app with `env`, sends `requests` (path and headers), then SIGTERM; resolves with its output. */
async function run(env: Record<string, string>, requests: Array<[string, Record<string, string>?]>): Promise<{ stdout: string; stderr: string }> {
  const app = await startPreloadedApp({
    cwd: DIR,
    args: ['--require', REGISTER_CJS, 'app.js'],
    env: { TARGET_URL: target.url, OTEL_SERVICE_NAME: 'env-app', OTEL_ACTIVITY_BUFFER_DIR: path.join(DIR, `buffer-${Date.now()}`), ...env },
  });
  for (const [p, headers] of requests) {
    const response = await fetch(`http://127.0.0.1:${app.port}${p}`, { headers });
    await response.text();
  }
  app.kill('SIGTERM');
  await app.exited;
  return { stdout: app.stdout(), stderr: app.stderr() };
}

describe('standard OTel variables', () => {
  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as given and wins over the generic endpoint; _TRACES_HEADERS too', async () => {
    const ran = await run(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9/nowhere',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/traces`,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=generic',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-tenant=traces',
      },
      [['/ok']],
    );
    expect(ran.stderr).toBe('');
    expect(receiver.spans.map((s) => s.name)).toEqual(['GET /ok']);
    expect(receiver.raw.map((r) => [r.path, r.headers['x-tenant']])).toEqual([['/custom/traces', 'traces']]);
  });

  it('OTEL_TRACES_EXPORTER=none sends nothing; console prints the spans', async () => {
    await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: 'none' }, [['/ok']]);
    expect(receiver.raw).toHaveLength(0);
    const ran = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_EXPORTER: 'console' }, [['/ok']]);
    expect(receiver.raw).toHaveLength(0);
    expect(ran.stdout).toContain("name: 'GET /ok'");
  });

  it('OTEL_PROPAGATORS=b3multi reads and writes the X-B3 headers instead of traceparent', async () => {
    const traceId = '463ac35c9f6413ad48485a3953bb6124';
    await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_PROPAGATORS: 'b3multi' }, [
      ['/call', { 'x-b3-traceid': traceId, 'x-b3-spanid': 'a2fb4a1d1a96d312', 'x-b3-sampled': '1' }],
    ]);
    expect(new Set(receiver.spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    expect(target.headers[0]['x-b3-traceid']).toBe(traceId);
    expect(target.headers[0].traceparent).toBeUndefined();
  });

  it('OTEL_SDK_DISABLED=TRUE disables (case-insensitive); "false" does not', async () => {
    await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'TRUE' }, [['/ok']]);
    expect(receiver.raw).toHaveLength(0);
    await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'false' }, [['/ok']]);
    expect(receiver.spans.map((s) => s.name)).toEqual(['GET /ok']);
  });

  it('every OTEL_RESOURCE_ATTRIBUTES entry is on the span and in the row', async () => {
    await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_RESOURCE_ATTRIBUTES: 'team=payments,region=eu%2Dwest,deployment.environment.name=prod' }, [['/ok']]);
    const [span] = receiver.spans;
    expect(span.resource).toMatchObject({ team: 'payments', region: 'eu-west', 'service.name': 'env-app', 'deployment.environment.name': 'prod' });
    const row = spanToRow(
      { name: span.name, kind: 2, traceId: span.traceId, spanId: span.spanId, startTimeMs: Date.now(), endTimeMs: Date.now(), status: { code: 0 }, attributes: span.attributes, resource: span.resource, events: [] } as never,
      { attributeMaxLength: 4096 },
    ) as { row: { environment: string; attributes: Record<string, string> } };
    expect(row.row.environment).toBe('prod');
    expect(row.row.attributes).toMatchObject({ team: 'payments', region: 'eu-west' });
    expect(Object.keys(row.row.attributes).filter((k) => k.startsWith('host.') || k.startsWith('service.'))).toEqual([]);
  });

  it('grpc and a bad OTEL_LOG_LEVEL are warned about once, and spans still arrive over http/protobuf', async () => {
    const ran = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_LOG_LEVEL: 'loud' }, [['/ok'], ['/ok']]);
    expect(ran.stderr).toBe(
      'otel-activity: OTEL_LOG_LEVEL must be one of none, error, warn, info, debug, verbose, all, got "loud"; using warn\n' +
        `otel-activity: OTLP protocol grpc is not supported; sending http/protobuf to ${receiver.url}/v1/traces instead (set OTEL_ACTIVITY_OTLP_PROTOCOL to silence this)\n`,
    );
    expect(receiver.raw.every((r) => r.headers['content-type'] === 'application/x-protobuf')).toBe(true);
    expect(receiver.spans.map((s) => s.name)).toEqual(['GET /ok', 'GET /ok']);
  });
});
