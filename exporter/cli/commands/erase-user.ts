/**
 * `otel-activity erase-user ID`: a privacy erasure. Deletes the user's rows from every raw table and from the
 * per-user cost rollup, and alerts about that user (exporter/service/admin-operations.ts). access_route_daily,
 * access_client_daily and auth_daily keep no ids (only uniq() sketches and counts), so they keep the user's
 * contribution to totals and cannot be traced back to them.
 */
import type { Command } from 'commander';
import { UsageError } from '../cli-errors';
import { runCliOperation } from '../cli-context';

export function registerEraseUser(program: Command): void {
  program
    .command('erase-user')
    .argument('<id>', 'the user id as recorded (enduser.id)')
    .description("Delete a user's rows everywhere (privacy request)")
    .addHelpText('after', '\nRollups access_route_daily, access_client_daily and auth_daily hold only counts and uniq() sketches, no ids; they are left as they are.')
    .action(async (id: string) => {
      if (id.trim() === '') throw new UsageError('erase-user needs a non-empty user id');
      const { lines } = await runCliOperation('erase-user', { userId: id });
      process.stdout.write(lines.map((line) => `${line}\n`).join(''));
    });
}
