/**
 * `otel-activity retention --days N`: changes the TTL of the raw tables (and, with --rollup-days, of the rollups and
 * alerts) in place with ALTER TABLE … MODIFY TTL; ClickHouse then drops expired rows in background merges.
 */
import type { Command } from 'commander';
import { UsageError } from '../cli-errors';
import { withSink } from '../cli-context';
import { existingTables, RAW_TABLES, ROLLUP_TABLES } from '../raw-tables';

export function parseDays(text: string, flag: string): number {
  const days = Number(text);
  if (!/^\d+$/.test(text.trim()) || days < 1 || days > 36_500) {
    throw new UsageError(`${flag} must be a whole number of days from 1 to 36500, got "${text}"`);
  }
  return days;
}

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .description('Change how long rows are kept (ALTER TABLE … MODIFY TTL); run "cleanup" to apply it at once')
    .requiredOption('--days <n>', 'days to keep raw rows (access_log, auth_events, external_calls, activities)')
    .option('--rollup-days <n>', 'days to keep daily rollups and alerts')
    .action(async (options: { days: string; rollupDays?: string }) => {
      const days = parseDays(options.days, '--days');
      const rollupDays = options.rollupDays === undefined ? undefined : parseDays(options.rollupDays, '--rollup-days');
      await withSink(async (sink, description) => {
        const tables = await existingTables(sink);
        const missing = RAW_TABLES.filter((t) => !tables.has(t));
        if (missing.length) throw new Error(`${description} has no ${missing.join(', ')}; run "otel-activity migrate" first`);
        for (const table of RAW_TABLES) {
          await sink.command('ALTER TABLE {table:Identifier} MODIFY TTL toDateTime(timestamp) + toIntervalDay({days:UInt32})', { table, days });
          process.stdout.write(`${table}: rows kept ${days} days\n`);
        }
        if (rollupDays === undefined) return;
        for (const [table, column] of ROLLUP_TABLES) {
          if (!tables.has(table)) continue;
          await sink.command(`ALTER TABLE {table:Identifier} MODIFY TTL ${column} + toIntervalDay({days:UInt32})`, { table, days: rollupDays });
          process.stdout.write(`${table}: rows kept ${rollupDays} days\n`);
        }
      });
    });
}
