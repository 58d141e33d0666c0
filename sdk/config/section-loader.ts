/**
 * The generic config loader, for any list of sections (the SDK's alone, or the server's with it): defaults < JSON
 * file < environment < programmatic overrides, each value checked by its option's valibot schema. Every bad or
 * unknown key is a ConfigError naming the key, the value and what is allowed; a lenient load (the app's SDK) reports
 * it and keeps that key's default instead, so a typo never stops someone's app.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, safeParse } from 'valibot';
import { CONFIG_FILE_ENV, ENV_PREFIX, isPlainObject, type ConfigField, type ConfigSectionSchema, type SectionConfig } from './config-fields';
import { parseEnvValue } from './env-values';
import { misspelt, suggestion } from './name-suggestions';

/** The config of a list of sections: one object per section name. */
export type SectionsConfig<S extends readonly ConfigSectionSchema[]> = {
  readonly [Section in S[number] as Section['name']]: SectionConfig<Section>;
};

/** Every key optional, at every depth (arrays and maps are replaced whole, not merged). */
export type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

export interface LoadConfigOptions<C = Record<string, object>> {
  /** Environment to read; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** JSON config file; default the path in OTEL_ACTIVITY_CONFIG. */
  readonly file?: string;
  /** Highest precedence, e.g. from code; same shape as the loaded config. */
  readonly overrides?: DeepPartial<C>;
  /**
   * The sections read and validated; the others keep their defaults and their variables are left alone (the
   * in-process exporter reads only its own section: the app's SDK has read the SDK's). Default: all.
   */
  readonly sections?: readonly (keyof C & string)[];
  /**
   * Lenient load: each problem is passed here (one line, ending with what is used instead) and the key keeps its
   * default, unless the load is strict (below), in which case the first problem is thrown.
   */
  readonly onProblem?: (message: string) => void;
  /** Whether a lenient load throws after all; default the loaded `sdk.strict` (false when the sdk section is not read). */
  readonly strict?: boolean;
  /**
   * Which unknown OTEL_ACTIVITY_* variables and top-level file keys are problems: `all` (default, a loader that
   * knows every package's options), `misspelled` (only those one or two letters off a name this loader knows: the
   * others may be another package's, e.g. the server's in an environment shared with it), or `none`.
   */
  readonly unknownNames?: 'all' | 'misspelled' | 'none';
  /** Filled with where each value came from, by dotted key: `default`, `file <path>`, `env <NAME>`, `code`. */
  readonly sources?: Map<string, string>;
}

/** A config value or key is wrong; the message says which, what it was, and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface ConfigLoader<C> {
  /** Every option of the loader's sections, in order. */
  readonly fields: readonly ConfigField[];
  /** Reads, merges and validates the configuration. Throws ConfigError on the first problem unless the load is lenient. */
  load(options?: LoadConfigOptions<C>): C;
}

function fail(where: string, field: ConfigField, got: unknown): never {
  const shown = typeof got === 'string' ? `"${got}"` : JSON.stringify(got);
  throw new ConfigError(`${where} ${field.type.expectation}, got ${shown}`);
}

/** Checks a typed value (from the file, overrides or parsed env) with the field's schema; returns it normalised. */
function validateValue(where: string, field: ConfigField, value: unknown, original: unknown = value): unknown {
  // abortPipeEarly: an option's own check (a raw_check) runs only on a value of the right type.
  const result = safeParse(field.schema, value, { abortPipeEarly: true });
  if (result.success) return result.output;
  const issue = result.issues[0];
  if (issue.type === 'raw_check') throw new ConfigError(`${where} ${issue.message}`);
  fail(where, field, original);
}

type MutableConfig = Record<string, Record<string, unknown>>;

/** What one load call carries through its steps. */
interface LoadRun {
  readonly config: MutableConfig;
  readonly fields: readonly ConfigField[];
  readonly sectionNames: readonly string[];
  readonly sections: ReadonlySet<string>;
  readonly unknownNames: 'all' | 'misspelled' | 'none';
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

/** Whether an unknown name is reported, by the load's `unknownNames`. */
function reportsUnknown(run: LoadRun, name: string, known: readonly string[], prefix: string): boolean {
  return run.unknownNames === 'all' || (run.unknownNames === 'misspelled' && misspelt(name, known, prefix));
}

function setValue(run: LoadRun, field: ConfigField, value: unknown, source: string): void {
  run.config[field.section][field.key] = value;
  run.sources?.set(`${field.section}.${field.key}`, source);
}

/** Each default through its own schema: a fresh copy, normalised as a loaded value would be. */
function defaults(sectionNames: readonly string[], fields: readonly ConfigField[]): MutableConfig {
  const config: MutableConfig = Object.fromEntries(sectionNames.map((name) => [name, {}]));
  for (const field of fields) config[field.section][field.key] = parse(field.schema, field.default);
  return config;
}

/** Applies a nested object (file or overrides) onto the config; `label` prefixes messages. */
function applyObject(run: LoadRun, source: unknown, label: string, sourceName: string): void {
  const names = run.sectionNames;
  if (!isPlainObject(source)) {
    const shape = names.map((name) => `"${name}": {…}`).join(', ');
    throw new ConfigError(`${label}must be an object like {${shape}}, got ${JSON.stringify(source)}`);
  }
  for (const [sectionName, sectionValue] of Object.entries(source)) {
    if (!names.includes(sectionName)) {
      if (reportsUnknown(run, sectionName, names, '')) {
        report(run, `${label}unknown key "${sectionName}"; top-level keys are ${names.join(', ')}${suggestion(sectionName, names)}`, 'ignored');
      }
      continue;
    }
    const section = sectionName;
    if (sectionValue === undefined || !run.sections.has(section)) continue;
    if (!isPlainObject(sectionValue)) {
      report(run, `${label}${section} must be an object, got ${JSON.stringify(sectionValue)}`, 'ignored');
      continue;
    }
    const fields = run.fields.filter((f) => f.section === section);
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
  const envNames = new Set(run.fields.map((f) => f.env));
  const knownEnv = [...envNames, CONFIG_FILE_ENV];
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENV_PREFIX) && !envNames.has(name) && name !== CONFIG_FILE_ENV && reportsUnknown(run, name, knownEnv, ENV_PREFIX)) {
      report(run, `unknown environment variable ${name}${suggestion(name, knownEnv)}; \`otel-activity config\` lists every variable`, 'ignored');
    }
  }
  for (const field of run.fields) {
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

/** A loader of the given sections; their names are the config file's top-level keys. */
export function createConfigLoader<const S extends readonly ConfigSectionSchema[]>(schemas: S): ConfigLoader<SectionsConfig<S>> {
  const sectionNames = schemas.map((s) => s.name);
  const fields = schemas.flatMap((s) => s.fields);
  return {
    fields,
    load(options = {}) {
      const env = options.env ?? process.env;
      const run: LoadRun = {
        config: defaults(sectionNames, fields),
        fields,
        sectionNames,
        sections: new Set(options.sections ?? sectionNames),
        unknownNames: options.unknownNames ?? 'all',
        problems: options.onProblem === undefined ? undefined : [],
        sources: options.sources,
      };
      if (run.sources !== undefined) for (const f of fields) run.sources.set(`${f.section}.${f.key}`, 'default');
      const file = options.file ?? env[CONFIG_FILE_ENV];
      if (file !== undefined && file !== '') attempt(run, () => applyFile(run, file), 'the file is ignored');
      applyEnv(run, env);
      if (options.overrides !== undefined) applyObject(run, options.overrides, '', 'code');
      if (run.problems !== undefined && run.problems.length > 0) {
        // The strict switch is the SDK's option; a load of other sections only is told it.
        if (options.strict ?? run.config.sdk?.strict === true) throw run.problems[0].error;
        for (const problem of run.problems) options.onProblem?.(`${problem.error.message}; ${problem.fallback}`);
      }
      // Every value went through its field's schema above, so the object has the type the schemas infer.
      return run.config as SectionsConfig<S>;
    },
  };
}
