/**
 * An app riding out an outage of its OTLP endpoint, with default settings: the bench's node:http app under
 * `node --require otel-activity/register`, driven at a steady rate while nothing listens on the endpoint; then (by
 * default) SIGTERM during the outage; then the endpoint comes back and we count what arrives. Passes when every
 * request answered is one span received (unique span ids), and reports duplicates, disk use and the time to drain.
 *
 *   node dist/bench/app-outage.js [--minutes 10] [--rate 50] [--no-sigterm] [--drain-seconds 120]
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { otlpToActivitySpans } from 'otel-activity-server/internal/exporter/normalize/from-otlp';
import { otlpProtoCodec } from 'otel-activity-server/internal/exporter/service/otlp-proto';
import { numberArg, parseBenchArgs } from './lib/bench-args';
import { sleep, startChild } from './lib/child-process';

const REGISTER = require.resolve('otel-activity/register');
const APP = path.join(__dirname, 'apps', 'http-app.js');

interface Receiver {
  readonly ids: string[];
  close(): Promise<void>;
}

function receiveOn(port: number): Promise<Receiver> {
  const ids: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { spans } = otlpToActivitySpans(otlpProtoCodec().decodeRequest(Buffer.concat(chunks)));
      for (const span of spans) if (span.attributes['activity.kind'] === 'access') ids.push(span.spanId);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve({ ids, close: () => new Promise((done) => server.close(() => done())) })),
  );
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function dirBytes(dir: string): number {
  try {
    return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0);
  } catch {
    return 0;
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs(['drain-seconds', 'minutes', 'no-sigterm', 'rate']);
  const minutes = numberArg(args, 'minutes', 10);
  const rate = numberArg(args, 'rate', 50);
  const drainSeconds = numberArg(args, 'drain-seconds', 120);
  const sigterm = !args.values.has('no-sigterm');
  const port = await freePort();
  const bufferDir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-outage-'));
  const app = await startChild({
    name: 'outage app',
    nodeArgs: ['--require', REGISTER, APP],
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_SERVICE_NAME: 'outage-bench', OTEL_ACTIVITY_BUFFER_DIR: bufferDir },
  });
  const started = Date.now();
  const endAt = started + minutes * 60_000;
  let answered = 0;
  let peakBufferBytes = 0;
  for (let tick = 0; Date.now() < endAt; tick++) {
    const due = started + (tick * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    const response = await fetch(`http://127.0.0.1:${app.port}/api/items/${tick}`);
    await response.arrayBuffer();
    if (response.status === 200) answered++;
    if (tick % rate === 0) peakBufferBytes = Math.max(peakBufferBytes, dirBytes(bufferDir));
  }
  if (sigterm) await app.kill('SIGTERM');
  const back = Date.now();
  const receiver = await receiveOn(port);
  while (new Set(receiver.ids).size < answered && Date.now() - back < drainSeconds * 1000) await sleep(200);
  const drainedMs = Date.now() - back;
  if (!sigterm) await app.kill('SIGTERM');
  const unique = new Set(receiver.ids).size;
  await receiver.close();
  const report = {
    outageMinutes: minutes,
    rate,
    sigtermDuringOutage: sigterm,
    answered,
    received: unique,
    lost: answered - unique,
    duplicates: receiver.ids.length - unique,
    peakBufferMiB: Math.round((peakBufferBytes / 1024 / 1024) * 10) / 10,
    drainSeconds: Math.round(drainedMs / 100) / 10,
    pass: unique === answered,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  fs.rmSync(bufferDir, { recursive: true, force: true });
  process.exitCode = report.pass ? 0 : 1;
}

void main();
