import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FIELDS, ConfigError, describeConfig, loadConfig } from '../exporter/config';

function tempFile(content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-config-'));
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, content);
  return file;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('returns the documented defaults with an empty environment', () => {
    const config = loadConfig({ env: {} });
    expect(config.sdk.exportMode).toBe('otlp');
    expect(config.sdk.otlpEndpoint).toBe('http://127.0.0.1:4318');
    expect(config.sdk.otlpProtocol).toBe('http/protobuf');
    expect(config.sdk.sampleRate).toBe(1);
    expect(config.sdk.ipMode).toBe('anonymize');
    expect(config.sdk.trustProxy).toBe(false);
    expect(config.sdk.skipPaths).toContain('/healthz');
    expect(config.sdk.skipPaths).toContain('*.woff2');
    expect(config.sdk.redactQueryParams).toEqual([
      'token', 'access_token', 'password', 'passwd', 'secret', 'api_key', 'apikey', 'key', 'code', 'signature', 'sig', 'auth', 'session',
    ]);
    expect(config.exporter.flushCount).toBe(5000);
    expect(config.exporter.maxQueueBytes).toBe(64 * 1024 * 1024);
    expect(config.exporter.spoolMaxBytes).toBe(1024 * 1024 * 1024);
    expect(config.exporter.dataDir).toBe('./.otel-activity/data');
    expect(config.exporter.spoolDir).toBe(path.join('.otel-activity', 'spool'));
    expect(config.service.port).toBe(4318);
    expect(config.service.maxBodyBytes).toBe(16 * 1024 * 1024);
  });

  it('applies defaults < file < env < overrides', () => {
    const file = tempFile(JSON.stringify({ sdk: { sampleRate: 0.2, ipMode: 'full' }, exporter: { flushCount: 10 } }));
    const fromFile = loadConfig({ env: { OTEL_ACTIVITY_CONFIG: file } });
    expect([fromFile.sdk.sampleRate, fromFile.sdk.ipMode, fromFile.exporter.flushCount]).toEqual([0.2, 'full', 10]);

    const fromEnv = loadConfig({ env: { OTEL_ACTIVITY_CONFIG: file, OTEL_ACTIVITY_SAMPLE_RATE: '0.5' } });
    expect([fromEnv.sdk.sampleRate, fromEnv.sdk.ipMode]).toEqual([0.5, 'full']);

    const fromOverrides = loadConfig({ file, env: { OTEL_ACTIVITY_SAMPLE_RATE: '0.5' }, overrides: { sdk: { sampleRate: 0 } } });
    expect(fromOverrides.sdk.sampleRate).toBe(0);
    expect(fromOverrides.exporter.flushCount).toBe(10);
  });

  it('parses lists, maps, booleans and the standard OTEL_* variables from the environment', () => {
    const config = loadConfig({
      env: {
        OTEL_SERVICE_NAME: 'shop',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9999/',
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc,x-team=core',
        OTEL_ACTIVITY_SKIP_PATHS: '/internal/, *.txt',
        OTEL_ACTIVITY_TRUST_PROXY: 'yes',
        OTEL_ACTIVITY_EXPORT: 'NONE',
        OTEL_ACTIVITY_AUTH_ROUTES: '{"POST /api/users/login": "login", "POST /api/users": "signup"}',
        OTEL_ACTIVITY_MODEL_PRICES: '{"my-model": {"inputPerMillion": 1, "outputPerMillion": 2}}',
        OTEL_ACTIVITY_ALERT_THRESHOLDS: 'error_rate=0.1,p95_ms=800',
        OTEL_ACTIVITY_METHODS: 'get,post',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
    });
    expect(config.sdk.serviceName).toBe('shop');
    expect(config.sdk.otlpEndpoint).toBe('http://127.0.0.1:9999');
    expect(config.sdk.otlpHeaders).toEqual({ authorization: 'Bearer abc', 'x-team': 'core' });
    expect(config.sdk.skipPaths).toEqual(['/internal/', '*.txt']);
    expect(config.sdk.trustProxy).toBe(true);
    expect(config.sdk.exportMode).toBe('none');
    expect(config.sdk.authRoutes).toEqual({ 'POST /api/users/login': 'login', 'POST /api/users': 'signup' });
    expect(config.sdk.modelPrices).toEqual({ 'my-model': { inputPerMillion: 1, outputPerMillion: 2 } });
    expect(config.service.alertThresholds).toEqual({ error_rate: 0.1, p95_ms: 800 });
    expect(config.sdk.methods).toEqual(['GET', 'POST']);
    expect(config.sdk.otlpProtocol).toBe('http/json');
  });

  it('prefers OTEL_ACTIVITY_* over the standard variable', () => {
    const config = loadConfig({ env: { OTEL_SERVICE_NAME: 'a', OTEL_ACTIVITY_SERVICE_NAME: 'b' } });
    expect(config.sdk.serviceName).toBe('b');
  });

  it('rejects a bad env value naming the variable, the rule and the value', () => {
    expect(errorOf(() => loadConfig({ env: { OTEL_ACTIVITY_SAMPLE_RATE: 'high' } })).message).toBe(
      'OTEL_ACTIVITY_SAMPLE_RATE must be a number from 0 to 1, got "high"',
    );
    expect(errorOf(() => loadConfig({ env: { OTEL_ACTIVITY_FLUSH_COUNT: '1.5' } })).message).toBe(
      'OTEL_ACTIVITY_FLUSH_COUNT must be an integer from 1 to 10000000, got "1.5"',
    );
    expect(errorOf(() => loadConfig({ env: { OTEL_ACTIVITY_IP_MODE: 'hash' } })).message).toBe(
      'OTEL_ACTIVITY_IP_MODE must be one of anonymize, full, drop, got "hash"',
    );
    expect(errorOf(() => loadConfig({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' } })).message).toBe(
      'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL, got "localhost:4318"',
    );
  });

  it('rejects unknown OTEL_ACTIVITY_* variables with a suggestion', () => {
    expect(errorOf(() => loadConfig({ env: { OTEL_ACTIVITY_SAMPLERATE: '1' } })).message).toMatch(
      /^unknown environment variable OTEL_ACTIVITY_SAMPLERATE \(did you mean OTEL_ACTIVITY_SAMPLE_RATE\?\)/,
    );
  });

  it('rejects unknown and mistyped keys in the config file and overrides', () => {
    const file = tempFile(JSON.stringify({ sdk: { sampleRat: 1 } }));
    expect(errorOf(() => loadConfig({ env: {}, file })).message).toMatch(
      new RegExp(`^config file ${file.replace(/[.\\]/g, '\\$&')}: unknown key "sdk.sampleRat" \\(did you mean sampleRate\\?\\)`),
    );
    expect(errorOf(() => loadConfig({ env: {}, overrides: { exporter: { flushCount: -1 } } })).message).toBe(
      'exporter.flushCount must be an integer from 1 to 10000000, got -1',
    );
    expect(errorOf(() => loadConfig({ env: {}, file: tempFile('{"sdk": {"skipPaths": "/x"}}') })).message).toMatch(
      /sdk\.skipPaths must be a list of strings/,
    );
    expect(errorOf(() => loadConfig({ env: {}, file: tempFile('{"metrics": {}}') })).message).toMatch(/unknown key "metrics"/);
    expect(errorOf(() => loadConfig({ env: {}, file: tempFile('{not json') })).message).toMatch(/is not valid JSON/);
  });

  it('rejects auth routes that are not "METHOD /path" → known event', () => {
    expect(errorOf(() => loadConfig({ env: {}, overrides: { sdk: { authRoutes: { '/login': 'login' } } } })).message).toBe(
      'sdk.authRoutes has key "/login"; keys are "METHOD /path", e.g. "POST /api/users/login"',
    );
    expect(errorOf(() => loadConfig({ env: {}, overrides: { sdk: { authRoutes: { 'POST /login': 'signin' } } } })).message).toBe(
      'sdk.authRoutes maps "POST /login" to "signin"; events are signup, login, logout, login_failed, token_refresh, password_reset',
    );
  });

  it('describes every field with a unique OTEL_ACTIVITY_ env name derived from its key', () => {
    const rows = describeConfig();
    expect(rows).toHaveLength(CONFIG_FIELDS.length);
    const envs = CONFIG_FIELDS.map((f) => f.env);
    expect(new Set(envs).size).toBe(envs.length);
    for (const field of CONFIG_FIELDS) {
      const derived = `OTEL_ACTIVITY_${field.key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
      expect(field.env).toBe(field.key === 'exportMode' ? 'OTEL_ACTIVITY_EXPORT' : derived);
    }
    expect(rows.find((r) => r.key === 'sdk.sampleRate')).toEqual({
      key: 'sdk.sampleRate',
      env: 'OTEL_ACTIVITY_SAMPLE_RATE',
      type: 'number 0..1',
      default: '1',
      description: 'Share of successful access spans kept; errors, auth, external and custom spans are always kept',
    });
  });
});
