/**
 * Loads and validates ActivityConfig once: defaults < JSON file < environment < programmatic overrides.
 * Every bad or unknown key is a ConfigError naming the key, the value and what is allowed; a lenient load (the app's
 * SDK) reports it and keeps that key's default instead, so a typo never stops someone's app.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ActivityConfig } from './config-types';
import { CONFIG_FIELDS, CONFIG_FILE_ENV, type ConfigField, type ConfigSection, type FieldType } from './config-schema';

/** Every key optional, at every depth (arrays and maps are replaced whole, not merged). */
export type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

export interface LoadConfigOptions {
  /** Environment to read; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** JSON config file; default the path in OTEL_ACTIVITY_CONFIG. */
  readonly file?: string;
  /** Highest precedence, e.g. from code; same shape as ActivityConfig. */
  readonly overrides?: DeepPartial<ActivityConfig>;
  /**
   * The sections read and validated; the others keep their defaults and their variables are left alone (an app
   * validates only the SDK's keys: the service's belong to `otel-activity serve`). Default: all.
   */
  readonly sections?: readonly ConfigSection[];
  /**
   * Lenient load: each problem is passed here (one line, ending with what is used instead) and the key keeps its
   * default, unless the loaded config says `sdk.strict`, in which case the first problem is thrown.
   */
  readonly onProblem?: (message: string) => void;
  /** Filled with where each value came from, by dotted key: `default`, `file <path>`, `env <NAME>`, `code`. */
  readonly sources?: Map<string, string>;
}

/** A config value or key is wrong; the message says which, what it was, and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const SECTIONS: readonly ConfigSection[] = ['sdk', 'exporter', 'service'];
const ENV_PREFIX = 'OTEL_ACTIVITY_';
const FIELDS_BY_ENV = new Map(CONFIG_FIELDS.map((f) => [f.env, f]));

/** What a value must be, in words, for messages: "must be a number from 0 to 1". */
function expectation(type: FieldType): string {
  switch (type.kind) {
    case 'string':
      return 'must be a string';
    case 'url':
      return type.allowEmpty ? "must be an http(s) URL or ''" : 'must be an http(s) URL';
    case 'number':
      return `must be ${type.integer ? 'an integer' : 'a number'} from ${type.min} to ${type.max}`;
    case 'boolean':
      return 'must be true or false';
    case 'enum':
      return `must be one of ${type.values.join(', ')}`;
    case 'stringList':
      return 'must be a list of strings (comma-separated in the environment)';
    case 'stringMap':
      return 'must be an object of strings (JSON, or key=value,key=value in the environment)';
    case 'numberMap':
      return 'must be an object of numbers (JSON, or key=value,key=value in the environment)';
    case 'priceMap':
      return 'must be an object of {"inputPerMillion": number, "outputPerMillion": number} (JSON)';
  }
}

function fail(where: string, field: ConfigField, got: unknown): never {
  const shown = typeof got === 'string' ? `"${got}"` : JSON.stringify(got);
  throw new ConfigError(`${where} ${expectation(field.type)}, got ${shown}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrice(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const optional = ['cachedInputPerMillion', 'cacheWritePerMillion', 'reasoningPerMillion'];
  const isUsd = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  return (
    isUsd(value.inputPerMillion) && isUsd(value.outputPerMillion) &&
    Object.entries(value).every(([key, v]) => (key === 'inputPerMillion' || key === 'outputPerMillion' || optional.includes(key)) && isUsd(v))
  );
}

/** Checks a typed value (from the file, overrides or parsed env) against the field; returns it normalised. */
function validateValue(where: string, field: ConfigField, value: unknown, original: unknown = value): unknown {
  const type = field.type;
  let ok: boolean;
  switch (type.kind) {
    case 'string':
      ok = typeof value === 'string';
      break;
    case 'url':
      ok = typeof value === 'string' && ((type.allowEmpty && value === '') || isHttpUrl(value));
      if (ok) value = (value as string).replace(/\/+$/, '');
      break;
    case 'number':
      ok =
        typeof value === 'number' && Number.isFinite(value) && value >= type.min && value <= type.max &&
        (!type.integer || Number.isInteger(value));
      break;
    case 'boolean':
      ok = typeof value === 'boolean';
      break;
    case 'enum':
      ok = typeof value === 'string' && type.values.includes(value);
      break;
    case 'stringList':
      ok = Array.isArray(value) && value.every((v) => typeof v === 'string');
      break;
    case 'stringMap':
      ok = isPlainObject(value) && Object.values(value).every((v) => typeof v === 'string');
      break;
    case 'numberMap':
      ok = isPlainObject(value) && Object.values(value).every((v) => typeof v === 'number' && Number.isFinite(v));
      break;
    case 'priceMap':
      ok = isPlainObject(value) && Object.values(value).every(isPrice);
      break;
  }
  if (!ok) fail(where, field, original);
  const problem = field.check?.(value);
  if (problem !== undefined) throw new ConfigError(`${where} ${problem}`);
  return value;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** key=value,key=value with URL-decoded values (the W3C baggage / OTEL_EXPORTER_OTLP_HEADERS format). */
function parsePairs(text: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) return undefined;
    try {
      out[decodeURIComponent(part.slice(0, eq).trim())] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return out;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Turns an environment string into the field's type; invalid text becomes a value that fails validation. */
function parseEnvValue(field: ConfigField, raw: string): unknown {
  const text = raw.trim();
  switch (field.type.kind) {
    case 'string':
    case 'url':
      return text;
    case 'enum':
      return text.toLowerCase();
    case 'number':
      return text === '' ? NaN : Number(text);
    case 'boolean': {
      const lower = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return true;
      if (['false', '0', 'no', 'off'].includes(lower)) return false;
      return undefined;
    }
    case 'stringList':
      if (text.startsWith('[')) return parseJson(text);
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'stringMap':
      return text.startsWith('{') ? parseJson(text) : parsePairs(text);
    case 'numberMap': {
      if (text.startsWith('{')) return parseJson(text);
      const pairs = parsePairs(text);
      if (pairs === undefined) return undefined;
      return Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, v === '' ? NaN : Number(v)]));
    }
    case 'priceMap':
      return parseJson(text);
  }
}

/** Levenshtein distance, for "did you mean" on unknown names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

function suggestion(name: string, candidates: readonly string[]): string {
  let best = '';
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean ${best}?)` : '';
}

type MutableConfig = Record<ConfigSection, Record<string, unknown>>;

/** What one load call carries through its steps. */
interface LoadRun {
  readonly config: MutableConfig;
  readonly sections: ReadonlySet<ConfigSection>;
  /** Problems of a lenient load, in order; undefined for a strict one (problems throw at once). */
  readonly problems: Array<{ readonly error: ConfigError; readonly fallback: string }> | undefined;
  readonly sources: Map<string, string> | undefined;
}

/** Runs one step; in a lenient load a ConfigError is recorded, with what is used instead, and the load goes on. */
function attempt(run: LoadRun, step: () => void, fallback: string): void {
  if (run.problems === undefined) return step();
  try {
    step();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    run.problems.push({ error, fallback });
  }
}

/** A problem found directly (not thrown by a step): thrown in a strict load, recorded in a lenient one. */
function report(run: LoadRun, message: string, fallback: string): void {
  const error = new ConfigError(message);
  if (run.problems === undefined) throw error;
  run.problems.push({ error, fallback });
}

function setValue(run: LoadRun, field: ConfigField, value: unknown, source: string): void {
  run.config[field.section][field.key] = value;
  run.sources?.set(`${field.section}.${field.key}`, source);
}

function defaults(): MutableConfig {
  const config: MutableConfig = { sdk: {}, exporter: {}, service: {} };
  for (const field of CONFIG_FIELDS) config[field.section][field.key] = structuredClone(field.default);
  return config;
}

/** Applies a nested object (file or overrides) onto the config; `label` prefixes messages. */
function applyObject(run: LoadRun, source: unknown, label: string, sourceName: string): void {
  if (!isPlainObject(source)) {
    throw new ConfigError(`${label}must be an object like {"sdk": {…}, "exporter": {…}, "service": {…}}, got ${JSON.stringify(source)}`);
  }
  for (const [sectionName, sectionValue] of Object.entries(source)) {
    if (!(SECTIONS as readonly string[]).includes(sectionName)) {
      report(run, `${label}unknown key "${sectionName}"; top-level keys are sdk, exporter, service${suggestion(sectionName, SECTIONS)}`, 'ignored');
      continue;
    }
    const section = sectionName as ConfigSection;
    if (sectionValue === undefined || !run.sections.has(section)) continue;
    if (!isPlainObject(sectionValue)) {
      report(run, `${label}${section} must be an object, got ${JSON.stringify(sectionValue)}`, 'ignored');
      continue;
    }
    const fields = CONFIG_FIELDS.filter((f) => f.section === section);
    for (const [key, value] of Object.entries(sectionValue)) {
      const field = fields.find((f) => f.key === key);
      if (field === undefined) {
        const keys = fields.map((f) => f.key);
        report(run, `${label}unknown key "${section}.${key}"${suggestion(key, keys)}; keys of ${section} are ${keys.join(', ')}`, 'ignored');
        continue;
      }
      if (value === undefined) continue;
      attempt(run, () => setValue(run, field, validateValue(`${label}${section}.${key}`, field, value), sourceName), keptText(run, field));
    }
  }
}

/** The fallback named in a lenient load's message: the value the key keeps. */
function keptText(run: LoadRun, field: ConfigField): string {
  const value = run.config[field.section][field.key];
  const text = Array.isArray(value) ? value.join(',') : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `using ${text === '' ? "''" : text} instead`;
}

function applyFile(run: LoadRun, file: string): void {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (error) {
    throw new ConfigError(`config file ${resolved} (${CONFIG_FILE_ENV}) cannot be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`config file ${resolved} is not valid JSON: ${(error as Error).message}`);
  }
  applyObject(run, parsed, `config file ${resolved}: `, `file ${resolved}`);
}

function applyEnv(run: LoadRun, env: NodeJS.ProcessEnv): void {
  const knownEnv = [...FIELDS_BY_ENV.keys(), CONFIG_FILE_ENV];
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENV_PREFIX) && !FIELDS_BY_ENV.has(name) && name !== CONFIG_FILE_ENV) {
      report(run, `unknown environment variable ${name}${suggestion(name, knownEnv)}; \`otel-activity config\` lists every variable`, 'ignored');
    }
  }
  for (const field of CONFIG_FIELDS) {
    if (!run.sections.has(field.section)) continue;
    let name = field.env;
    let raw = env[name];
    for (const standard of field.standardEnv ?? []) {
      if (raw !== undefined) break;
      name = standard;
      raw = env[name];
    }
    if (raw === undefined) continue;
    const from = name;
    const text = raw;
    attempt(run, () => setValue(run, field, validateValue(from, field, parseEnvValue(field, text), text), `env ${from}`), keptText(run, field));
  }
}

/** Reads, merges and validates the configuration. Throws ConfigError on the first problem unless the load is lenient. */
export function loadConfig(options: LoadConfigOptions = {}): ActivityConfig {
  const env = options.env ?? process.env;
  const run: LoadRun = {
    config: defaults(),
    sections: new Set(options.sections ?? SECTIONS),
    problems: options.onProblem === undefined ? undefined : [],
    sources: options.sources,
  };
  if (run.sources !== undefined) for (const f of CONFIG_FIELDS) run.sources.set(`${f.section}.${f.key}`, 'default');
  const config = run.config;
  const file = options.file ?? env[CONFIG_FILE_ENV];
  if (file !== undefined && file !== '') attempt(run, () => applyFile(run, file), 'the file is ignored');
  applyEnv(run, env);
  if (options.overrides !== undefined) applyObject(run, options.overrides, '', 'code');
  if (run.problems !== undefined && run.problems.length > 0) {
    if (config.sdk.strict === true) throw run.problems[0].error;
    for (const problem of run.problems) options.onProblem?.(`${problem.error.message}; ${problem.fallback}`);
  }

  // '' means "beside the data directory", so the spool never sits inside chDB's own directory.
  if (config.exporter.spoolDir === '') {
    config.exporter.spoolDir = path.join(config.exporter.dataDir as string, '..', 'spool');
  }
  // Methods compare upper-case against request.method; propagator names are case-insensitive.
  config.sdk.methods = (config.sdk.methods as string[]).map((m) => m.toUpperCase());
  config.sdk.propagators = (config.sdk.propagators as string[]).map((p) => p.toLowerCase());
  return config as unknown as ActivityConfig;
}
