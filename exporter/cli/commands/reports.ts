/**
 * `otel-activity reports`: lists the named queries, what each answers and its parameters.
 */
import type { Command } from 'commander';
import { QueryCatalog } from '../../analytics/query-catalog';
import { formatRows, parseFormat } from '../output-format';

export function registerReports(program: Command): void {
  program
    .command('reports')
    .description('List the named reports and their parameters')
    .option('-f, --format <format>', 'table, json or csv', 'table')
    .action((options: { format: string }) => {
      const rows = QueryCatalog.load()
        .list()
        .map((q) => ({
          name: q.name,
          source: q.source,
          answers: q.answers,
          params: q.params.map((p) => `${p.name} ${p.type}${p.defaultValue !== undefined ? ` = ${JSON.stringify(p.defaultValue)}` : ''}`).join(', '),
        }));
      process.stdout.write(formatRows(rows, parseFormat(options.format)));
    });
}
