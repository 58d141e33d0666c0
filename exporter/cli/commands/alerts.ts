/**
 * `otel-activity alerts`: evaluates the alert rules now, then lists open and acknowledged alerts; `--ack ID`
 * acknowledges one.
 */
import * as os from 'node:os';
import type { Command } from 'commander';
import { isAlertId, listAlerts } from '../../analytics/alert-store';
import { UsageError } from '../cli-errors';
import { runCliOperation, withSink } from '../cli-context';
import { formatRows, parseFormat } from '../output-format';

interface AlertsOptions {
  ack?: string;
  evaluate: boolean;
  all?: boolean;
  format: string;
}

export function registerAlerts(program: Command): void {
  program
    .command('alerts')
    .description('Evaluate alert rules now and list open alerts; --ack ID acknowledges one')
    .option('--ack <id>', 'acknowledge the alert with this id')
    .option('--no-evaluate', 'only list, do not run the rules first')
    .option('--all', 'list resolved alerts too')
    .option('-f, --format <format>', 'table, json or csv', 'table')
    .action(async (options: AlertsOptions) => {
      const format = parseFormat(options.format);
      if (options.ack !== undefined && !isAlertId(options.ack)) {
        throw new UsageError(`--ack needs an alert id (a UUID like 123e4567-e89b-12d3-a456-426614174000), got "${options.ack}"`);
      }
      if (options.ack !== undefined) {
        const { lines } = await runCliOperation('alert-ack', { id: options.ack, by: `cli:${os.userInfo().username}` });
        process.stdout.write(lines.map((line) => `${line}\n`).join(''));
        return;
      }
      if (options.evaluate) {
        const { lines } = await runCliOperation('alerts-evaluate', {});
        process.stderr.write(lines.map((line) => `${line}\n`).join(''));
      }
      await withSink(async (sink) => {
        const alerts = await listAlerts(sink, { statuses: options.all ? [] : ['open', 'acknowledged'] });
        const rows = alerts.map((a) => ({ id: a.id, created_at: a.created_at, severity: a.severity, status: a.status, rule: a.rule, subject: a.subject, value: a.value, threshold: a.threshold }));
        process.stdout.write(formatRows(format === 'table' ? rows : alerts as unknown as Record<string, unknown>[], format));
      });
    });
}
