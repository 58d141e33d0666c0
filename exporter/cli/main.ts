#!/usr/bin/env node
/**
 * The `otel-activity` command line: reports over the stored activity, ad-hoc SQL, export, retention, privacy erasure,
 * repricing, migrations, status, alerts and the ingest service. Exit codes: 0 ok, 1 runtime error, 2 usage error.
 */
import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, UsageError } from './cli-errors';
import { registerAlerts } from './commands/alerts';
import { registerCleanup } from './commands/cleanup';
import { registerConfig } from './commands/config';
import { registerEraseUser } from './commands/erase-user';
import { registerExport } from './commands/export';
import { registerMigrate } from './commands/migrate';
import { registerQuery } from './commands/query';
import { registerReport } from './commands/report';
import { registerReports } from './commands/reports';
import { registerReprice } from './commands/reprice';
import { registerRetention } from './commands/retention';
import { registerServe } from './commands/serve';
import { registerStatus } from './commands/status';

export function buildProgram(): Command {
  const program = new Command('otel-activity')
    .description('Who did what, when, how fast and what it cost: query the activity stored by otel-activity.')
    .addHelpText(
      'after',
      `
Engine: OTEL_ACTIVITY_CLICKHOUSE_URL (remote ClickHouse) if set; else the running service that owns
OTEL_ACTIVITY_DATA_DIR (default ./.otel-activity/data); else that data directory, opened directly.

Examples:
  otel-activity reports
  otel-activity report top-routes.raw --since 7d
  otel-activity report failed-logins-by-ip --since 1h --format json
  otel-activity query "SELECT count() FROM access_log"
  otel-activity config --section sdk
  otel-activity export --table access_log --since 7d --format parquet --out access.parquet`,
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerReports(program);
  registerReport(program);
  registerQuery(program);
  registerExport(program);
  registerStatus(program);
  registerMigrate(program);
  registerRetention(program);
  registerCleanup(program);
  registerEraseUser(program);
  registerReprice(program);
  registerAlerts(program);
  registerServe(program);
  registerConfig(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; its message was already printed.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`otel-activity: ${error.message}\n`);
      return EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`otel-activity: ${message}\n`);
    if (/Cannot lock file|status/.test(message) && /lock/i.test(message)) {
      process.stderr.write('otel-activity: another process holds the data directory; start the service (it serves the CLI) or stop the other process\n');
    }
    return EXIT_RUNTIME;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      // chDB keeps native handles open after close; the output is written (pipes and files are synchronous here).
      process.exit(code);
    },
    (error: unknown) => {
      process.stderr.write(`otel-activity: ${String(error)}\n`);
      process.exit(EXIT_RUNTIME);
    },
  );
}
