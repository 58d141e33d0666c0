// The config split by package: the SDK's loader knows its own section only and leaves the server's variables and
// file sections alone (naming only near misses of its own names); the server's loader knows both and reads its
// exporter section alone for the in-process exporter, strict when the SDK says so.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS as SERVER_FIELDS, loadConfig as loadServerConfig } from '../exporter/config';
import { ConfigError, loadConfig } from '../sdk/config/config-loader';
import { CONFIG_FIELDS } from '../sdk/config/config-schema';

function problemsOf(load: (onProblem: (message: string) => void) => unknown): string[] {
  const problems: string[] = [];
  load((message) => problems.push(message));
  return problems;
}

describe('config by package', () => {
  it("loads the SDK's section only, and the server's loader all three with the SDK's fields first", () => {
    expect(Object.keys(loadConfig({ env: {} }))).toEqual(['sdk']);
    expect(new Set(CONFIG_FIELDS.map((f) => f.section))).toEqual(new Set(['sdk']));
    expect(Object.keys(loadServerConfig({ env: {} }))).toEqual(['sdk', 'exporter', 'service']);
    expect(SERVER_FIELDS.slice(0, CONFIG_FIELDS.length).map((f) => f.env)).toEqual(CONFIG_FIELDS.map((f) => f.env));
  });

  it("names a misspelt SDK variable but leaves the server's variables to the server", () => {
    const env = { OTEL_ACTIVITY_SAMPEL_RATE: '0.5', OTEL_ACTIVITY_PORT: 'not-a-port', OTEL_ACTIVITY_FLUSH_COUNT: 'lots' };
    expect(problemsOf((onProblem) => loadConfig({ env, onProblem }))).toEqual([
      'unknown environment variable OTEL_ACTIVITY_SAMPEL_RATE (did you mean OTEL_ACTIVITY_SAMPLE_RATE?); `otel-activity config` lists every variable; ignored',
    ]);
  });

  it('takes no server variable for a misspelt SDK one', () => {
    const serverEnv = SERVER_FIELDS.filter((f) => f.section !== 'sdk').map((f) => f.env);
    expect(serverEnv).toHaveLength(41);
    expect(problemsOf((onProblem) => loadConfig({ env: Object.fromEntries(serverEnv.map((name) => [name, 'x'])), onProblem }))).toEqual([]);
  });

  it("leaves the server's file sections alone and names a misspelt sdk section", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-config-'));
    const file = path.join(dir, 'config.json');
    try {
      fs.writeFileSync(file, JSON.stringify({ sdk: { ipMode: 'full' }, exporter: { flushCount: 'lots' }, service: { port: 5000 } }));
      expect(loadConfig({ env: {}, file }).sdk.ipMode).toBe('full');
      fs.writeFileSync(file, JSON.stringify({ sdkk: {} }));
      expect(problemsOf((onProblem) => loadConfig({ env: {}, file, onProblem }))).toEqual([
        `config file ${file}: unknown key "sdkk"; top-level keys are sdk (did you mean sdk?); ignored`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads the exporter section alone for the in-process exporter, strict as the SDK's setting says", () => {
    const env = { OTEL_ACTIVITY_FLUSH_COUNT: 'lots', OTEL_ACTIVITY_SAMPLE_RATE: 'high', OTEL_ACTIVITY_SAMPEL_RATE: '1', OTEL_ACTIVITY_PORT: 'x' };
    const exporterOnly = (strict: boolean, onProblem: (message: string) => void) =>
      loadServerConfig({ env, sections: ['exporter'], unknownNames: 'none', strict, onProblem }).exporter;
    expect(problemsOf((onProblem) => expect(exporterOnly(false, onProblem).flushCount).toBe(5000))).toEqual([
      'OTEL_ACTIVITY_FLUSH_COUNT must be an integer from 1 to 10000000, got "lots"; using 5000 instead',
    ]);
    expect(() => exporterOnly(true, () => undefined)).toThrow(
      new ConfigError('OTEL_ACTIVITY_FLUSH_COUNT must be an integer from 1 to 10000000, got "lots"'),
    );
  });
});
