/**
 * `otel-activity cleanup`: deletes now (lightweight DELETE) the rows older than the retention, instead of waiting
 * for TTL merges; raw tables by retentionDays, rollups and alerts by rollupRetentionDays (config or flags).
 */
import type { Command } from 'commander';
import { cliConfig, withSink } from '../cli-context';
import { existingTables, RAW_TABLES, ROLLUP_TABLES } from '../raw-tables';
import { parseDays } from './retention';

export function registerCleanup(program: Command): void {
  program
    .command('cleanup')
    .description('Delete rows older than the retention now (default: OTEL_ACTIVITY_RETENTION_DAYS / _ROLLUP_RETENTION_DAYS)')
    .option('--days <n>', 'raw rows older than this many days are deleted')
    .option('--rollup-days <n>', 'rollup rows and alerts older than this many days are deleted')
    .action(async (options: { days?: string; rollupDays?: string }) => {
      const config = cliConfig();
      const days = options.days === undefined ? config.exporter.retentionDays : parseDays(options.days, '--days');
      const rollupDays = options.rollupDays === undefined ? config.exporter.rollupRetentionDays : parseDays(options.rollupDays, '--rollup-days');
      await withSink(async (sink) => {
        const tables = await existingTables(sink);
        const jobs: Array<[string, string, number]> = [
          ...RAW_TABLES.map((t): [string, string, number] => [t, 'toDateTime(timestamp)', days]),
          ...ROLLUP_TABLES.map(([t, column]): [string, string, number] => [t, column, rollupDays]),
        ];
        for (const [table, column, keep] of jobs) {
          if (!tables.has(table)) continue;
          const cutoff = `${column} < now() - toIntervalDay({days:UInt32})`;
          const [{ n }] = await sink.query<{ n: string | number }>(`SELECT count() AS n FROM {table:Identifier} WHERE ${cutoff}`, { table, days: keep });
          if (Number(n) > 0) await sink.command(`DELETE FROM {table:Identifier} WHERE ${cutoff}`, { table, days: keep });
          process.stdout.write(`${table}: deleted ${Number(n)} rows older than ${keep} days\n`);
        }
      });
    });
}
