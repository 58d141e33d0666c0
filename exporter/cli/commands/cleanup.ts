/**
 * `otel-activity cleanup`: deletes now (lightweight DELETE) the rows older than the retention, instead of waiting
 * for TTL merges; raw tables by retentionDays, rollups and alerts by rollupRetentionDays (config or flags).
 */
import type { Command } from 'commander';
import { parseDays } from '../../service/admin-operations';
import { checkUsage, cliConfig, runCliOperation } from '../cli-context';

export function registerCleanup(program: Command): void {
  program
    .command('cleanup')
    .description('Delete rows older than the retention now (default: OTEL_ACTIVITY_RETENTION_DAYS / _ROLLUP_RETENTION_DAYS)')
    .option('--days <n>', 'raw rows older than this many days are deleted')
    .option('--rollup-days <n>', 'rollup rows and alerts older than this many days are deleted')
    .action(async (options: { days?: string; rollupDays?: string }) => {
      // The CLI's own config decides the defaults, also when the service runs the deletes.
      const config = cliConfig();
      const days = options.days === undefined ? config.exporter.retentionDays : checkUsage(() => parseDays(options.days, '--days'));
      const rollupDays = options.rollupDays === undefined ? config.exporter.rollupRetentionDays : checkUsage(() => parseDays(options.rollupDays, '--rollup-days'));
      const { lines } = await runCliOperation('cleanup', { days, rollupDays });
      process.stdout.write(lines.map((line) => `${line}\n`).join(''));
    });
}
