/**
 * `otel-activity status`: what is stored (rows and bytes per table from system.parts, newest row), and what waits in
 * the spool to be inserted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { cliConfig, withSink } from '../cli-context';
import { formatRows, parseFormat } from '../output-format';
import { RAW_TABLES } from '../raw-tables';

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
    if (!entry.isFile()) continue;
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
      await withSink(async (sink, description) => {
        const parts = await sink.query<{ table: string; rows: number; bytes: number; last_write: string }>(
          `SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes, toString(max(modification_time)) AS last_write
           FROM system.parts WHERE active AND database = currentDatabase() GROUP BY table ORDER BY table`,
        );
        const tables = await sink.query<{ name: string }>(
          "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT IN ('MaterializedView', 'View') ORDER BY name",
        );
        const byTable = new Map(parts.map((p) => [p.table, p]));
        const rows = [];
        for (const { name } of tables) {
          let newest = '';
          if ((RAW_TABLES as readonly string[]).includes(name)) {
            const [row] = await sink.query<{ newest: string }>(
              "SELECT if(count() = 0, '', toString(max(timestamp))) AS newest FROM {table:Identifier}",
              { table: name },
            );
            newest = row?.newest ?? '';
          }
          const part = byTable.get(name);
          rows.push({ table: name, rows: Number(part?.rows ?? 0), bytes: Number(part?.bytes ?? 0), newest_row: newest, last_write: part?.last_write ?? '' });
        }
        const spool = spoolBacklog(config.exporter.spoolDir);
        if (format === 'json') {
          process.stdout.write(`${JSON.stringify({ engine: description, tables: rows, spool: { dir: path.resolve(config.exporter.spoolDir), ...spool } }, null, 2)}\n`);
          return;
        }
        process.stdout.write(`engine: ${description}\n`);
        process.stdout.write(formatRows(rows, format));
        process.stdout.write(`spool: ${spool.files} files, ${spool.bytes} bytes waiting in ${path.resolve(config.exporter.spoolDir)}\n`);
      });
    });
}
