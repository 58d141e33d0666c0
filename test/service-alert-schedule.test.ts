/**
 * The service runs the alert rules on its own schedule: a failed-login burst planted in auth_events becomes one open
 * alert in the alerts table without anyone calling `otel-activity alerts`, and close() stops the timer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpService, type OtlpService } from '../exporter/service/otlp-service';
import type { AuthRow } from '../exporter/rows/row-types';
import { loadConfig } from '../exporter/config';
import { waitUntil } from './helpers/wait-until';

let root: string;
let service: OtlpService;

function failedLogin(i: number): AuthRow {
  return {
    timestamp: new Date(Date.now() - 60_000 + i * 1000).toISOString().slice(0, 23).replace('T', ' '),
    trace_id: `${i}`.padStart(32, '0'),
    span_id: `${i}`.padStart(16, '0'),
    service: 'shop',
    environment: 'test',
    event: 'login_failed',
    success: false,
    user_id: `victim${i % 2}@example.com`,
    session_id: '',
    method: 'password',
    reason: 'bad_password',
    client_ip: '::ffff:198.51.100.0',
    user_agent: 'curl/8',
    device_type: 'unknown',
    attributes: {},
  };
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-alert-schedule-'));
  const config = loadConfig({
    env: {},
    overrides: {
      exporter: { dataDir: path.join(root, 'data') },
      service: { port: 0, adminToken: 'admin-token-for-test', alertIntervalMs: 200, alertThresholds: { 'failed-login-burst-ip': 5 } },
    },
  });
  service = await startOtlpService({ config, serviceFile: false });
});

afterAll(async () => {
  await service?.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('alert schedule in the service', () => {
  it('raises one open failed-login-burst-ip alert for a planted burst, without a CLI call', async () => {
    const rows = Array.from({ length: 6 }, (_, i) => failedLogin(i));
    const inserted = await service.exporter.sink.insert('auth_events', rows, { dedupToken: 'alert-schedule-burst' });
    expect(inserted.ok).toBe(true);

    type AlertRow = { rule: string; subject: string; value: number; status: string };
    let alerts: AlertRow[] = [];
    const raised = async () => {
      alerts = await service.exporter.sink.query<AlertRow>("SELECT rule, subject, value, status FROM alerts FINAL WHERE rule = 'failed-login-burst-ip'");
      return alerts.length > 0;
    };
    await waitUntil(raised, 15_000, 'a failed-login-burst-ip alert', 100);
    // Several schedule ticks pass while we wait: still exactly one alert for the one open burst.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const again = await service.exporter.sink.query<AlertRow>(
      "SELECT rule, subject, value, status FROM alerts FINAL WHERE rule = 'failed-login-burst-ip'",
    );
    expect(again).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'failed-login-burst-ip', status: 'open' });
    expect(Number(alerts[0].value)).toBe(6);
    expect(alerts[0].subject).toContain('198.51.100.0');
  });
});
