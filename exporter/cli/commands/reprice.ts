/**
 * `otel-activity reprice --since 30d`: recomputes the cost of stored model calls from the current price table and
 * corrects the daily cost rollup by the same amounts (exporter/analytics/reprice.ts says which rows and how).
 */
import type { Command } from 'commander';
import { resolveWindow } from '../../analytics/since';
import { UsageError } from '../cli-errors';
import { runCliOperation } from '../cli-context';

export function registerReprice(program: Command): void {
  program
    .command('reprice')
    .description('Recompute the cost of stored model calls from the current price table (after a price change, or for unpriced calls), rollup included')
    .option('--since <duration>', 'calls of the last 30m, 24h, 30d, 2w …')
    .option('--from <time>', 'calls from this UTC date or time (instead of --since)')
    .option('--to <time>', 'calls before this UTC date or time (default now)')
    .option('--dry-run', 'say what would change, change nothing')
    .addHelpText(
      'after',
      `
Rows repriced: calls with a model whose cost came from a price table, or that had no price (unpriced). A cost the
provider reported, or the app set itself, is left as it is, and so are rows older than the raw retention.
Prices: the built-in table under modelPrices (OTEL_ACTIVITY_MODEL_PRICES) of the process that runs it (the
service, when it owns the data directory), at each call's own time. external_cost_daily gets one correction row
per day, service, environment, provider, model and user, so rollup and raw reports agree to the nano-dollar.`,
    )
    .action(async (options: { since?: string; from?: string; to?: string; dryRun?: boolean }) => {
      if (!options.since && !options.from) throw new UsageError('reprice needs a window: --since 30d, or --from (and --to)');
      try {
        resolveWindow(options);
      } catch (error) {
        if (error instanceof RangeError) throw new UsageError(error.message);
        throw error;
      }
      const { lines } = await runCliOperation('reprice', { ...options, dryRun: options.dryRun === true });
      process.stdout.write(lines.map((line) => `${line}\n`).join(''));
    });
}
