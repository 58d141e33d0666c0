/**
 * `otel-activity config`: the effective configuration, every key with its value and where it came from (default,
 * the config file, an environment variable, code), secrets masked, and every problem an app or the service would
 * report. Exit 1 when there is a problem, so a deploy can check its settings before it starts anything.
 */
import type { Command } from 'commander';
import { CONFIG_FIELDS, loadConfig, type ConfigSection } from '../../config';
import { UsageError } from '../cli-errors';
import { formatRows, parseFormat } from '../output-format';

const SECTIONS: readonly ConfigSection[] = ['sdk', 'exporter', 'service'];

function shown(value: unknown, secret: boolean): string {
  if (secret) {
    if (value === '' || value === undefined) return '(not set)';
    // Header names are not secret, their values are.
    if (typeof value === 'object' && value !== null) return JSON.stringify(Object.fromEntries(Object.keys(value).map((k) => [k, '***'])));
    return '*** (set)';
  }
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return value === '' ? "''" : String(value);
}

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('Show the effective configuration: each value, where it came from (default, file, env, code), secrets masked')
    .option('-s, --section <section>', 'sdk, exporter or service (default: all)')
    .option('-f, --format <format>', 'table, json or csv', 'table')
    .action((options: { section?: string; format: string }) => {
      if (options.section !== undefined && !(SECTIONS as readonly string[]).includes(options.section)) {
        throw new UsageError(`--section must be one of ${SECTIONS.join(', ')}, got "${options.section}"`);
      }
      const sections = options.section === undefined ? SECTIONS : [options.section as ConfigSection];
      const sources = new Map<string, string>();
      const problems: string[] = [];
      const config: Readonly<Record<string, Readonly<Record<string, unknown>>>> = loadConfig({ sections, sources, onProblem: (message) => problems.push(message) });
      const rows = CONFIG_FIELDS.filter((f) => (sections as readonly string[]).includes(f.section)).map((field) => ({
        key: `${field.section}.${field.key}`,
        value: shown(config[field.section][field.key], field.secret === true),
        source: sources.get(`${field.section}.${field.key}`) ?? 'default',
        env: field.env,
      }));
      process.stdout.write(formatRows(rows, parseFormat(options.format)));
      for (const problem of problems) process.stderr.write(`otel-activity: ${problem}\n`);
      if (problems.length > 0) throw new Error(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration`);
    });
}
