#!/usr/bin/env node
/**
 * `npm run demo`: starts the OTLP ingest service on embedded chDB (./.otel-activity/), a fake LLM and the sample app
 * under `node --require otel-activity/register`, drives a fixed mix of requests, stops the app (SIGTERM flushes its
 * spans), waits until every row is inserted, prints a report from the tables, and leaves the data for the CLI.
 */
import * as path from 'node:path';
import { findRunningService } from 'otel-activity-server/internal/exporter/cli/open-sink';
import { startOtlpService } from 'otel-activity-server/internal/exporter/service/otlp-service';
import { loadConfig } from 'otel-activity-server/internal/exporter/config/load-config';
import { startChild, type DemoChild } from './child-process';
import { demoReport } from './demo-report';
import { driveTraffic } from './drive-traffic';
import { DEMO_AUTH_ROUTES, demoTraffic, expectedRows, type ExpectedRows } from './traffic-plan';

const REPO = path.resolve(__dirname, '..', '..');
const REGISTER = require.resolve('otel-activity/register');
const SAMPLE_APP = path.join(REPO, 'demo', 'sample-app.js');
const FAKE_LLM = path.join(REPO, 'demo', 'fake-llm.js');
const SERVICE_NAME = 'demo-shop';
/** How long to wait for the service to insert every row after the app stopped. */
const SETTLE_TIMEOUT_MS = 60_000;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

async function main(): Promise<number> {
  const config = loadConfig({
    env: process.env,
    // Port 0: the demo must not collide with a real service or collector on 4318; flush often so it ends quickly.
    overrides: { service: { port: 0, ingestToken: '' }, exporter: { flushIntervalMs: 200 } },
  });
  const dataDir = path.resolve(config.exporter.dataDir);
  const owner = findRunningService(dataDir);
  if (owner) {
    process.stderr.write(`otel-activity demo: ${dataDir} belongs to a running service (pid ${owner.pid}, ${owner.url}); stop it first.\n`);
    return 1;
  }

  const started = Date.now();
  say(`otel-activity demo: starting the ingest service (embedded chDB in ${dataDir}) …`);
  const service = await startOtlpService({ config });
  say(`  service: ${service.url}/v1/traces`);
  let llm: DemoChild | undefined;
  let app: DemoChild | undefined;
  try {
    llm = await startChild('fake LLM', [FAKE_LLM], { PATH: process.env.PATH ?? '', PORT: '0' });
    const appEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      LLM_URL: `http://127.0.0.1:${llm.port}`,
      OTEL_SERVICE_NAME: SERVICE_NAME,
      OTEL_EXPORTER_OTLP_ENDPOINT: service.url,
      OTEL_ACTIVITY_EXPORT: 'otlp',
      OTEL_ACTIVITY_ENVIRONMENT: 'demo',
      OTEL_ACTIVITY_AUTH_ROUTES: JSON.stringify(DEMO_AUTH_ROUTES),
      OTEL_ACTIVITY_TRUST_PROXY: 'true',
      OTEL_ACTIVITY_SAMPLE_RATE: '1',
    };
    app = await startChild('sample app', ['--require', REGISTER, SAMPLE_APP], appEnv);
    say(`  fake LLM: http://127.0.0.1:${llm.port}   sample app: http://127.0.0.1:${app.port} (node --require otel-activity/register)`);

    const plan = demoTraffic();
    const expected = expectedRows(plan);
    say(`Driving ${plan.length} requests (4 users, 6 user agents, signups, failing logins, orders, LLM questions, errors) …`);
    const drive = await driveTraffic(`http://127.0.0.1:${app.port}`, plan);
    say(`  answers: ${Object.entries(drive.byStatus).map(([s, n]) => `${n}× ${s}`).join(', ')}`);
    for (const line of drive.unexpected) say(`  unexpected: ${line}`);

    say('Stopping the app (SIGTERM flushes its spans) …');
    const ended = await app.stop();
    app = undefined;
    // register.ts flushes on SIGTERM and then lets the signal end the process as it would have: signal SIGTERM is normal.
    if (ended.code !== 0 && ended.signal !== 'SIGTERM') say(`  the app ended badly (code ${ended.code}, signal ${ended.signal})`);
    const inserted = await waitForRows(service.metrics, expected);

    const report = await demoReport(service.exporter.sink, { from: toIso(started), to: toIso(Date.now() + 60_000) }, SERVICE_NAME);
    say();
    say(report.text);
    say();
    say(`Rows stored: ${formatCounts(inserted)} (expected ${formatCounts(expected)})`);
    say(`Data: ${dataDir} (embedded ClickHouse). Explore it with the CLI, e.g.:`);
    say('  npx otel-activity reports');
    say('  npx otel-activity report endpoint-latency.raw --since 1h');
    say('  npx otel-activity query "SELECT event, success, count() FROM auth_events GROUP BY ALL"');
    const complete = (Object.keys(expected) as Array<keyof ExpectedRows>).every((t) => inserted[t] === expected[t]);
    return drive.unexpected.length === 0 && complete ? 0 : 1;
  } finally {
    await app?.stop().catch(() => undefined);
    await llm?.stop().catch(() => undefined);
    await service.close();
  }
}

/** Polls the service's own counters until every expected row was inserted (or the time is up). */
async function waitForRows(metrics: () => { inserted: Record<string, number>; queue: { rows: number } }, expected: ExpectedRows): Promise<ExpectedRows> {
  const until = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const m = metrics();
    const inserted = {
      access_log: m.inserted.access_log ?? 0,
      auth_events: m.inserted.auth_events ?? 0,
      external_calls: m.inserted.external_calls ?? 0,
      activities: m.inserted.activities ?? 0,
    };
    const done = (Object.keys(expected) as Array<keyof ExpectedRows>).every((t) => inserted[t] >= expected[t]) && m.queue.rows === 0;
    if (done || Date.now() > until) return inserted;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function formatCounts(c: ExpectedRows): string {
  return `access_log ${c.access_log}, auth_events ${c.auth_events}, external_calls ${c.external_calls}, activities ${c.activities}`;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`otel-activity demo failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
