/**
 * What `--require otel-activity/register` loads into the app at start: every module is start-up time and resident
 * memory in someone else's process, so what only some apps use (JSON export, B3 propagation) loads only when
 * configured, and the SDK packages load once (no second, pinned copy).
 */
import { describe, expect, it } from 'vitest';
import { REGISTER_CJS } from './helpers/built-paths';
import { runChild } from './helpers/run-child';

const PRINT_PACKAGES = `
const found = new Set();
for (const file of Object.keys(require.cache)) {
  const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)(?:\\/node_modules\\/((?:@[^/]+\\/)?[^/]+))?/.exec(file);
  if (match) found.add(match[2] ? match[1] + ' > ' + match[2] : match[1]);
}
console.log(JSON.stringify([...found].sort()));
`;

async function loadedPackages(env: Record<string, string>): Promise<string[]> {
  const run = await runChild(process.execPath, ['--require', REGISTER_CJS, '-e', PRINT_PACKAGES], {
    env: { PATH: process.env.PATH, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_ACTIVITY_BUFFER_DIR: '', ...env },
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as string[];
}

describe('modules loaded at the app start', () => {
  it('by default: the SDK once, no JSON serializers, no B3', async () => {
    const loaded = await loadedPackages({});
    expect(loaded).toContain('@opentelemetry/sdk-trace-base');
    expect(loaded).not.toContain('@opentelemetry/otlp-transformer');
    expect(loaded).not.toContain('@opentelemetry/sdk-metrics');
    expect(loaded).not.toContain('@opentelemetry/propagator-b3');
    expect(loaded).not.toContain('@opentelemetry/sdk-trace-node');
    // A nested copy ("a > b") is a second version of a package loaded beside the first.
    expect(loaded.filter((name) => name.includes(' > '))).toEqual([]);
  });

  it('JSON export and B3 load what they need when configured', async () => {
    const loaded = await loadedPackages({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_PROPAGATORS: 'tracecontext,b3' });
    expect(loaded).toContain('@opentelemetry/otlp-transformer');
    expect(loaded).toContain('@opentelemetry/propagator-b3');
  });
});
