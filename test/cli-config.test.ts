// `otel-activity config`: the effective configuration, where each value came from, secrets masked, and each
// problem named with exit 1, run as users run it (the built CLI in a child process).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_MAIN } from './helpers/built-paths';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('otel-activity config', () => {
  it('shows each value with its source, masks secrets, and exits 1 naming each problem', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-config-'));
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify({ sdk: { ipMode: 'full' }, service: { port: 5000 } }));
    try {
      const { code, stdout, stderr } = await cli(['config', '--format', 'json'], {
        OTEL_ACTIVITY_CONFIG: file,
        OTEL_SERVICE_NAME: 'shop',
        OTEL_ACTIVITY_SAMPLE_RATE: 'high',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20s3cr3t',
        OTEL_ACTIVITY_ADMIN_TOKEN: 'admin-s3cr3t',
      });
      const rows = new Map((JSON.parse(stdout) as Array<{ key: string; value: string; source: string }>).map((r) => [r.key, r]));
      expect(rows.get('sdk.serviceName')).toMatchObject({ value: 'shop', source: 'env OTEL_SERVICE_NAME' });
      expect(rows.get('sdk.ipMode')).toMatchObject({ value: 'full', source: `file ${file}` });
      expect(rows.get('service.port')).toMatchObject({ value: '5000', source: `file ${file}` });
      expect(rows.get('sdk.sampleRate')).toMatchObject({ value: '1', source: 'default' });
      expect(rows.get('sdk.otlpHeaders')).toMatchObject({ value: '{"authorization":"***"}', source: 'env OTEL_EXPORTER_OTLP_HEADERS' });
      expect(rows.get('service.adminToken')).toMatchObject({ value: '*** (set)', source: 'env OTEL_ACTIVITY_ADMIN_TOKEN' });
      expect(stdout).not.toContain('s3cr3t');
      expect(stderr).toBe('otel-activity: OTEL_ACTIVITY_SAMPLE_RATE must be a number from 0 to 1, got "high"; using 1 instead\notel-activity: 1 problem in the configuration\n');
      expect(code).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 0 with a clean configuration, and --section limits the rows', async () => {
    const { code, stdout, stderr } = await cli(['config', '--section', 'sdk', '--format', 'json'], {});
    const keys = (JSON.parse(stdout) as Array<{ key: string }>).map((r) => r.key);
    expect(keys.every((k) => k.startsWith('sdk.'))).toBe(true);
    expect(keys).toContain('sdk.propagators');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
