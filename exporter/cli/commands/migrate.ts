/**
 * `otel-activity migrate`: applies the pending schema migrations (schemas/migrations) with the configured retention.
 */
import type { Command } from 'commander';
import { migrate } from '../../../schemas/migrate';
import { cliConfig, withSink } from '../cli-context';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Create or upgrade the tables (safe to re-run)')
    .action(async () => {
      const { retentionDays, rollupRetentionDays } = cliConfig().exporter;
      await withSink(async (sink, description) => {
        const result = await migrate(sink, { retentionDays, rollupRetentionDays });
        process.stdout.write(
          result.applied.length ? `applied ${result.applied.join(', ')} to ${description}\n` : `${description} is up to date\n`,
        );
      });
    });
}
