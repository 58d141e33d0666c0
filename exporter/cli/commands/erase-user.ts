/**
 * `otel-activity erase-user ID`: a privacy erasure. Deletes the user's rows from every raw table and from the
 * per-user cost rollup, and alerts about that user. access_route_daily, access_client_daily and auth_daily keep no ids (only uniq()
 * sketches and counts), so they keep the user's contribution to totals and cannot be traced back to them.
 */
import type { Command } from 'commander';
import { UsageError } from '../cli-errors';
import { withSink } from '../cli-context';
import { existingTables, RAW_TABLES } from '../raw-tables';

/** Tables and the column holding the user id; fixed names, never user input. */
const USER_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ...RAW_TABLES.map((t) => [t, 'user_id'] as const),
  ['external_cost_daily', 'user_id'],
  ['alerts', 'subject'],
];

export function registerEraseUser(program: Command): void {
  program
    .command('erase-user')
    .argument('<id>', 'the user id as recorded (enduser.id)')
    .description("Delete a user's rows everywhere (privacy request)")
    .addHelpText('after', '\nRollups access_route_daily, access_client_daily and auth_daily hold only counts and uniq() sketches, no ids; they are left as they are.')
    .action(async (id: string) => {
      if (id.trim() === '') throw new UsageError('erase-user needs a non-empty user id');
      await withSink(async (sink) => {
        const tables = await existingTables(sink);
        let total = 0;
        for (const [table, column] of USER_COLUMNS) {
          if (!tables.has(table)) continue;
          const where = `${column} = {id:String}`;
          const [{ n }] = await sink.query<{ n: string | number }>(`SELECT count() AS n FROM {table:Identifier} WHERE ${where}`, { table, id });
          if (Number(n) > 0) await sink.command(`DELETE FROM {table:Identifier} WHERE ${where}`, { table, id });
          total += Number(n);
          process.stdout.write(`${table}: deleted ${Number(n)} rows\n`);
        }
        process.stdout.write(`erased ${total} rows for user ${JSON.stringify(id)}\n`);
      });
    });
}
