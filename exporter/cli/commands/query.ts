/**
 * `otel-activity query "SQL"`: ad-hoc SQL against the configured engine; `--param` values are bound as {name:Type}.
 */
import type { Command } from 'commander';
import { collectParam, withSink } from '../cli-context';
import { formatRows, parseFormat } from '../output-format';

export function registerQuery(program: Command): void {
  program
    .command('query')
    .argument('<sql>', 'a SELECT (or other statement); use {name:Type} placeholders with --param')
    .description('Run ad-hoc SQL and print the rows')
    .option('-p, --param <name=value>', 'bound parameter, repeatable', collectParam)
    .option('-f, --format <format>', 'table, json or csv', 'table')
    .addHelpText('after', '\nExample:\n  otel-activity query "SELECT route, count() FROM access_log WHERE user_id = {u:String} GROUP BY route" --param u=42')
    .action(async (sql: string, options: { param?: Record<string, string>; format: string }) => {
      const format = parseFormat(options.format);
      const rows = await withSink((sink) => sink.query(sql, options.param ?? {}));
      process.stdout.write(formatRows(rows, format));
    });
}
