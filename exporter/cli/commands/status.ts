/**
 * `otel-activity status`: what is stored (rows and bytes per table from system.parts, newest row), and what waits in
 * the spool to be inserted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { cliConfig, runCliOperation } from '../cli-context';
import { formatRows, parseFormat } from '../output-format';

export interface SpoolBacklog {
  readonly files: number;
  readonly bytes: number;
}

export function spoolBacklog(dir: string): SpoolBacklog {
  let files = 0;
  let bytes = 0;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return { files, bytes };
  }
  for (const entry of entries) {
    // Only batches waiting to be inserted: not the run marker, saved span ids, temp files or spool/rejected/.
    if (!entry.isFile() || !entry.name.endsWith('.ndjson')) continue;
    files++;
    bytes += fs.statSync(path.join(dir, entry.name)).size;
  }
  return { files, bytes };
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Rows, data size and newest row per table; spool backlog')
    .option('-f, --format <format>', 'table, json or csv', 'table')
    .action(async (options: { format: string }) => {
      const format = parseFormat(options.format);
      const config = cliConfig();
      const { data, description } = await runCliOperation('status', {});
      const rows = data as Array<Record<string, unknown>>;
      const spool = spoolBacklog(config.exporter.spoolDir);
      if (format === 'json') {
        process.stdout.write(`${JSON.stringify({ engine: description, tables: rows, spool: { dir: path.resolve(config.exporter.spoolDir), ...spool } }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`engine: ${description}\n`);
      process.stdout.write(formatRows(rows, format));
      process.stdout.write(`spool: ${spool.files} files, ${spool.bytes} bytes waiting in ${path.resolve(config.exporter.spoolDir)}\n`);
    });
}
