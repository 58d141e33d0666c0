/**
 * `otel-activity retention --days N`: changes the TTL of the raw tables (and, with --rollup-days, of the rollups and
 * alerts) in place with ALTER TABLE … MODIFY TTL, and the raw-retention filter of the rollup views with it; ClickHouse
 * then drops expired rows in background merges.
 */
import type { Command } from 'commander';
import { RAW_TTL_TABLES } from '../../rows/table-registry';
import { parseDays } from '../../service/admin-operations';
import { checkUsage, runCliOperation } from '../cli-context';

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .description('Change how long rows are kept (ALTER TABLE … MODIFY TTL); run "cleanup" to apply it at once')
    .requiredOption('--days <n>', `days to keep raw rows (${RAW_TTL_TABLES.map(([table]) => table).join(', ')})`)
    .option('--rollup-days <n>', 'days to keep daily rollups and alerts')
    .action(async (options: { days: string; rollupDays?: string }) => {
      const days = checkUsage(() => parseDays(options.days, '--days'));
      const rollupDays = options.rollupDays === undefined ? undefined : checkUsage(() => parseDays(options.rollupDays, '--rollup-days'));
      const { lines } = await runCliOperation('retention', { days, ...(rollupDays === undefined ? {} : { rollupDays }) });
      process.stdout.write(lines.map((line) => `${line}\n`).join(''));
    });
}
