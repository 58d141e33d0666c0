/**
 * Options described for people: one row per option (dotted key, variables, type, default, meaning) and the Markdown
 * table the README shows, for any list of fields (the SDK's own, or the server's with it).
 */
import type { ConfigField } from './config-fields';

export interface ConfigFieldDescription {
  /** Dotted path in the config file, e.g. `sdk.sampleRate`. */
  readonly key: string;
  readonly env: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

function defaultText(value: unknown): string {
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0 ? '{}' : JSON.stringify(value);
  if (value === '') return "''";
  return String(value);
}

export function describeFields(fields: readonly ConfigField[]): ConfigFieldDescription[] {
  return fields.map((field) => ({
    key: `${field.section}.${field.key}`,
    env: field.standardEnv ? `${field.env} (or ${field.standardEnv.join(', ')})` : field.env,
    type: field.type.name,
    default: defaultText(field.default),
    description: field.description,
  }));
}

export function configTable(fields: readonly ConfigField[]): string {
  // Every cell escapes '|': enum types ("anonymize | full | drop") would otherwise split the row.
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = describeFields(fields).map(
    (d) => `| \`${d.key}\` | \`${d.env}\` | ${cell(d.type)} | \`${cell(d.default)}\` | ${cell(d.description)} |`,
  );
  return ['| key | env | type | default | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
