/**
 * `otel-activity migrate`: applies the pending schema migrations (schemas/migrations) with the configured retention.
 */
import type { Command } from 'commander';
import { runCliOperation } from '../cli-context';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('Create or upgrade the tables (safe to re-run)')
    .action(async () => {
      const { data, description } = await runCliOperation('migrate', {});
      const applied = (data as { applied: string[] }).applied;
      process.stdout.write(applied.length ? `applied ${applied.join(', ')} to ${description}\n` : `${description} is up to date\n`);
    });
}
