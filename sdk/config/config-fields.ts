/**
 * The building blocks of a config schema: the kinds of value an option can hold (each a valibot schema plus the words
 * the loader's messages use for it) and `section()`, which names a group of options, derives each option's
 * environment variable from its key, and assembles the section's valibot object schema, the source of its type.
 */
// valibot, not zod or a hand-written validator: it is small, has no dependencies and is tree-shakable (each schema
// function is its own export), which matters for an SDK that is loaded at every app's start. Named imports, not
// `* as v`: under CommonJS the namespace form copies all of valibot's exports into a new object (about 2 ms).
import {
  array,
  boolean,
  check,
  custom,
  exactOptional,
  finite,
  integer as isInteger,
  maxValue,
  minValue,
  number,
  object,
  picklist,
  pipe,
  rawCheck,
  readonly,
  record,
  strictObject,
  string,
  transform,
  type GenericSchema,
  type InferOutput,
  type ObjectSchema,
} from 'valibot';

/** How an environment string becomes a value of the option; also what the type column and messages say. */
export type FieldKind = 'string' | 'url' | 'number' | 'boolean' | 'enum' | 'stringList' | 'stringMap' | 'numberMap' | 'priceMap';

/** One kind of value: its valibot schema (validates and normalises a typed value) and how to talk about it. */
export interface FieldType<T> {
  readonly kind: FieldKind;
  readonly schema: GenericSchema<unknown, T>;
  /** The type column of the config table: "integer 1..10", "anonymize | full | drop". */
  readonly name: string;
  /** What a value must be, for messages: "must be a number from 0 to 1". */
  readonly expectation: string;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** valibot's record takes arrays too; a config map is a plain object only. */
const plainObject = custom<Record<string, unknown>>(isPlainObject);

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export const text: FieldType<string> = { kind: 'string', schema: string(), name: 'string', expectation: 'must be a string' };

export const bool: FieldType<boolean> = { kind: 'boolean', schema: boolean(), name: 'boolean', expectation: 'must be true or false' };

/** An http(s) URL, stored without trailing slashes; `allowEmpty` when '' means "off". */
export function url(allowEmpty: boolean): FieldType<string> {
  return {
    kind: 'url',
    schema: pipe(
      string(),
      check((value) => (allowEmpty && value === '') || isHttpUrl(value)),
      transform((value) => value.replace(/\/+$/, '')),
    ),
    name: 'url',
    expectation: allowEmpty ? "must be an http(s) URL or ''" : 'must be an http(s) URL',
  };
}

export function integer(min: number, max: number): FieldType<number> {
  return {
    kind: 'number',
    schema: pipe(number(), finite(), isInteger(), minValue(min), maxValue(max)),
    name: `integer ${min}..${max}`,
    expectation: `must be an integer from ${min} to ${max}`,
  };
}

export function decimal(min: number, max: number): FieldType<number> {
  return {
    kind: 'number',
    schema: pipe(number(), finite(), minValue(min), maxValue(max)),
    name: `number ${min}..${max}`,
    expectation: `must be a number from ${min} to ${max}`,
  };
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T): FieldType<T[number]> {
  return { kind: 'enum', schema: picklist(values), name: values.join(' | '), expectation: `must be one of ${values.join(', ')}` };
}

/** Env: comma-separated or a JSON array. */
export const list: FieldType<readonly string[]> = {
  kind: 'stringList',
  schema: pipe(array(string()), readonly()),
  name: 'list',
  expectation: 'must be a list of strings (comma-separated in the environment)',
};

/** Env: a JSON object or `key=value,key=value` (the OTEL_EXPORTER_OTLP_HEADERS format). */
export const stringMap: FieldType<Readonly<Record<string, string>>> = {
  kind: 'stringMap',
  schema: pipe(plainObject, record(string(), string()), readonly()),
  name: 'map',
  expectation: 'must be an object of strings (JSON, or key=value,key=value in the environment)',
};

export const numberMap: FieldType<Readonly<Record<string, number>>> = {
  kind: 'numberMap',
  schema: pipe(plainObject, record(string(), pipe(number(), finite())), readonly()),
  name: 'map of numbers',
  expectation: 'must be an object of numbers (JSON, or key=value,key=value in the environment)',
};

const usd = pipe(number(), finite(), minValue(0));

/** A model's price in USD per million tokens; the cache and reasoning prices default to the input / output ones. */
export const MODEL_PRICE = pipe(
  strictObject({
    inputPerMillion: usd,
    outputPerMillion: usd,
    /** Input tokens read from the prompt cache; default inputPerMillion. */
    cachedInputPerMillion: exactOptional(usd),
    /** Input tokens written to the prompt cache; default inputPerMillion. */
    cacheWritePerMillion: exactOptional(usd),
    /** Reasoning tokens; default outputPerMillion. */
    reasoningPerMillion: exactOptional(usd),
  }),
  readonly(),
);

/** Env: a JSON object only: {"model": {"inputPerMillion": 2.5, "outputPerMillion": 10}}. */
export const priceMap: FieldType<Readonly<Record<string, InferOutput<typeof MODEL_PRICE>>>> = {
  kind: 'priceMap',
  schema: pipe(plainObject, record(string(), MODEL_PRICE), readonly()),
  name: 'map of prices',
  expectation: 'must be an object of {"inputPerMillion": number, "outputPerMillion": number} (JSON)',
};

/** One option as written in a section: its kind, default and words; the key comes from its place in the section. */
export interface FieldDefinition<T> {
  readonly type: FieldType<T>;
  /** The type's schema plus the option's own check, if any. */
  readonly schema: GenericSchema<unknown, T>;
  readonly default: T;
  readonly description: string;
  /** Only where the documented name is not the derived OTEL_ACTIVITY_<SCREAMING_SNAKE of key>: never rename a set variable. */
  readonly env?: string;
  /** Standard OTel variables read, first set wins, when the OTEL_ACTIVITY_ one is not set (per-signal before generic). */
  readonly standardEnv?: readonly string[];
  /** Never shown in full: `otel-activity config` masks it (map values, or the value itself as "*** (set)"). */
  readonly secret?: boolean;
}

export interface FieldOptions<T> {
  readonly default: T;
  readonly description: string;
  readonly env?: string;
  readonly standardEnv?: readonly string[];
  readonly secret?: boolean;
  /** Extra validation after the type's: returns what is wrong (the message's tail after the key), or undefined. */
  readonly check?: (value: T) => string | undefined;
  /** Applied to a valid value, after the check (whose message shows the value as given). */
  readonly normalise?: (value: T) => T;
}

export function field<T>(type: FieldType<T>, options: FieldOptions<NoInfer<T>>): FieldDefinition<T> {
  const { check, normalise, ...rest } = options;
  let schema: GenericSchema<unknown, T> = type.schema;
  if (check !== undefined) {
    schema = pipe(schema, rawCheck(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const problem = check(dataset.value);
      if (problem !== undefined) addIssue({ message: problem });
    }));
  }
  if (normalise !== undefined) schema = pipe(schema, transform(normalise));
  return { ...rest, type, schema };
}

/** One option as the loader, the README and the CLI see it: section, key and env name filled in. */
export interface ConfigField extends FieldDefinition<unknown> {
  readonly section: string;
  readonly key: string;
  readonly env: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a field of any value type; each keeps its own T
type AnyField = FieldDefinition<any>;

export interface ConfigSectionSchema<N extends string = string, F extends Record<string, AnyField> = Record<string, AnyField>> {
  readonly name: N;
  /** The section's valibot object schema: its config type is `InferOutput` of it. */
  readonly schema: ObjectSchema<{ readonly [K in keyof F]: F[K]['schema'] }, undefined>;
  readonly fields: readonly ConfigField[];
}

export const ENV_PREFIX = 'OTEL_ACTIVITY_';

/** The variable that names the JSON config file; not a field itself. */
export const CONFIG_FILE_ENV = 'OTEL_ACTIVITY_CONFIG';

/** sampleRate → OTEL_ACTIVITY_SAMPLE_RATE. */
export function envNameOf(key: string): string {
  return `${ENV_PREFIX}${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export function section<const N extends string, F extends Record<string, AnyField>>(name: N, definitions: F): ConfigSectionSchema<N, F> {
  const entries = Object.entries(definitions);
  return {
    name,
    schema: object(Object.fromEntries(entries.map(([key, d]) => [key, d.schema])) as { readonly [K in keyof F]: F[K]['schema'] }),
    fields: entries.map(([key, d]): ConfigField => ({ ...d, section: name, key, env: d.env ?? envNameOf(key) })),
  };
}

/** A section's config type: its schema's output, read-only. */
export type SectionConfig<S extends ConfigSectionSchema> = Readonly<InferOutput<S['schema']>>;
