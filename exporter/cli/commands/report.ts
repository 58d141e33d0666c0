/**
 * `otel-activity report NAME`: runs a named query from schemas/queries with the window and --param values bound.
 */
import type { Command } from 'commander';
import { QueryCatalog, QueryCatalogError } from '../../analytics/query-catalog';
import { resolveWindow } from '../../analytics/since';
import { UsageError } from '../cli-errors';
import { collectParam, withSink } from '../cli-context';
import { formatReport, parseFormat, truncationNotice } from '../output-format';

interface ReportOptions {
  since?: string;
  from?: string;
  to?: string;
  param?: Record<string, string>;
  format: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .argument('<name>', 'report name (see "otel-activity reports")')
    .description('Run a named report over a time window')
    .option('--since <duration>', 'window ending now: 30m, 24h, 7d (default 24h)')
    .option('--from <time>', 'window start, UTC: 2026-01-31 or 2026-01-31T12:00:00Z')
    .option('--to <time>', 'window end, UTC (default now)')
    .option('-p, --param <name=value>', 'report parameter, repeatable (e.g. --param user=42 --param limit=5)', collectParam)
    .option('-f, --format <format>', 'table, json or csv', 'table')
    .addHelpText('after', '\nExamples:\n  otel-activity report top-routes.raw --since 7d\n  otel-activity report user-journey --param session=abc --format json')
    .action(async (name: string, options: ReportOptions) => {
      const format = parseFormat(options.format);
      let values: Record<string, string | undefined>;
      const catalog = QueryCatalog.load();
      try {
        const query = catalog.get(name);
        const window = resolveWindow(options);
        const declared = new Set(query.params.map((p) => p.name));
        values = { ...(declared.has('from') ? { from: window.from } : {}), ...(declared.has('to') ? { to: window.to } : {}), ...options.param };
        catalog.bind(name, values);
      } catch (error) {
        if (error instanceof QueryCatalogError || error instanceof RangeError) throw new UsageError(error.message);
        throw error;
      }
      const page = await withSink((sink) => catalog.runReport(sink, name, values));
      const meta = { name, ...(values.from !== undefined ? { from: values.from } : {}), ...(values.to !== undefined ? { to: values.to } : {}), limit: page.limit, offset: page.offset, truncated: page.truncated };
      process.stdout.write(formatReport(page.rows, format, meta));
      if (format === 'csv') process.stderr.write(truncationNotice(meta));
    });
}
