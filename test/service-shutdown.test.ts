/**
 * `otel-activity serve` as a process: service.json (0600) for the CLI while it runs, the admin-token query endpoint,
 * 200 only once rows are durable, and SIGTERM closing chDB, removing service.json, exit 0 with every acknowledged span stored.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { OtlpSender, makeSpans } from './helpers/otlp-sender';
import { createService, type ServiceProcess } from './helpers/service-process';

let service: ServiceProcess;
let sent: OtlpSender;

beforeAll(async () => {
  service = await createService({
    // The timer never fires during the test: rows are inserted only by the durable group commit each request waits for.
    // No admin token configured: the service generates one and tells the CLI through service.json only.
    env: { OTEL_ACTIVITY_FLUSH_INTERVAL_MS: '3600000', OTEL_ACTIVITY_FLUSH_COUNT: '1000000', OTEL_ACTIVITY_ADMIN_TOKEN: '' },
  });
  await service.start();
});

afterAll(async () => {
  await service?.dispose();
});

function serviceFile(): string {
  return path.join(service.root, 'service.json');
}

describe('serve process', () => {
  it('writes service.json (mode 0600) naming its pid, URL and a generated admin token', () => {
    const info = JSON.parse(fs.readFileSync(serviceFile(), 'utf8')) as { pid: number; url: string; adminToken: string };
    expect(info.pid).toBe(service.pid);
    expect(info.url).toBe(service.baseUrl);
    expect(info.adminToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fs.statSync(serviceFile()).mode & 0o777).toBe(0o600);
    expect(service.output()).not.toContain(info.adminToken);
  });

  it('answers POST /api/query with the admin token only', async () => {
    const { adminToken } = JSON.parse(fs.readFileSync(serviceFile(), 'utf8')) as { adminToken: string };
    const ask = (token: string) =>
      fetch(`${service.baseUrl}/api/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ sql: 'SELECT {n:UInt8} + 1 AS answer', params: { n: 41 } }),
      });
    const ok = await ask(adminToken);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ rows: [{ answer: 42 }] });
    const wrong = await ask('not-the-token');
    expect(wrong.status).toBe(401);
  });

  it('answers 200 only once the rows are inserted; on SIGTERM removes service.json and exits 0 with every acknowledged span stored', async () => {
    sent = new OtlpSender({ url: service.tracesUrl, encoding: 'protobuf' });
    for (let i = 0; i < 5; i++) expect((await sent.send(makeSpans(3, i * 30, 30))).status).toBe(200);
    const before = await service.metrics();
    expect(before.queue).toEqual({ rows: 0, bytes: 0 });
    expect(before.inserted).toEqual({ access_log: 50, auth_events: 50, external_calls: 50, activities: 0 });

    const ended = await service.stop();
    expect(ended).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(serviceFile())).toBe(false);
    expect(service.output()).toContain('otel-activity service stopped (inserted {"access_log":50,"auth_events":50,"external_calls":50,"activities":0}, dropped 0)');

    const sink = new EmbeddedSink({ dataDir: service.dataDir });
    try {
      const rows = await sink.query<{ span_id: string }>(
        'SELECT span_id FROM access_log UNION ALL SELECT span_id FROM auth_events UNION ALL SELECT span_id FROM external_calls',
      );
      expect(rows.map((r) => r.span_id).sort()).toEqual([...sent.acknowledged].sort());
    } finally {
      await sink.close();
    }
  });
});
