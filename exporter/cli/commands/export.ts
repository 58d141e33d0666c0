/**
 * `otel-activity export`: writes one table's rows of a window to a file as NDJSON, CSV or Parquet. NDJSON/CSV are read
 * in pages with progress on stderr; Parquet uses ClickHouse's own Parquet output (file() table function), so it
 * needs the engine to run on this machine (embedded data directory or the local service).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { resolveWindow } from '../../analytics/since';
import { TABLE_NAMES } from '../../rows/table-registry';
import { UsageError } from '../cli-errors';
import { withSink } from '../cli-context';
import { csvField } from '../output-format';
import { existingTables, tableColumns } from '../existing-tables';

const FORMATS = ['ndjson', 'csv', 'parquet'] as const;
const DEFAULT_PAGE_ROWS = 50_000;

interface ExportOptions {
  table: string;
  since?: string;
  from?: string;
  to?: string;
  format: string;
  out: string;
  pageRows: string;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('Export a table (rows of a time window) to a file')
    .requiredOption('-t, --table <table>', `${TABLE_NAMES.join(', ')}, alerts …`)
    .option('--since <duration>', 'window ending now (default 7d)')
    .option('--from <time>', 'window start, UTC')
    .option('--to <time>', 'window end, UTC (default now)')
    .option('-f, --format <format>', 'ndjson, csv or parquet', 'ndjson')
    .requiredOption('-o, --out <file>', 'output file (overwritten)')
    .option('--page-rows <n>', 'rows read per query for ndjson/csv; progress is shown when there is more than one page', String(DEFAULT_PAGE_ROWS))
    .action(async (options: ExportOptions) => {
      if (!(FORMATS as readonly string[]).includes(options.format)) {
        throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got "${options.format}"`);
      }
      let window: { from: string; to: string };
      try {
        window = resolveWindow({ ...options, since: options.since ?? (options.from ? undefined : '7d') });
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const pageRows = Number(options.pageRows);
      if (!Number.isInteger(pageRows) || pageRows < 1) throw new UsageError(`--page-rows must be a whole number ≥ 1, got "${options.pageRows}"`);
      const out = path.resolve(options.out);
      await withSink(async (sink, description) => {
        const tables = await existingTables(sink);
        if (!tables.has(options.table)) {
          throw new UsageError(`--table ${options.table} does not exist in ${description}; tables: ${[...tables].sort().join(', ')}`);
        }
        const columns = await tableColumns(sink, options.table);
        if (!columns.has('timestamp')) throw new UsageError(`--table ${options.table} has no timestamp column to select a window by`);
        // A tie-breaker keeps pages stable when rows share a timestamp.
        const order = columns.has('span_id') ? 'timestamp, span_id' : 'timestamp';
        const where = "FROM {table:Identifier} WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}";
        const params = { table: options.table, ...window };
        const [{ total }] = await sink.query<{ total: string | number }>(`SELECT count() AS total ${where}`, params);
        const count = Number(total);
        if (options.format === 'parquet') {
          if (sink.kind === 'service') {
            throw new Error(`parquet export writes the file through the engine, which the running service owns and keeps read-only; use --format ndjson or csv, or stop the service`);
          }
          if (sink.kind === 'http') {
            throw new Error('parquet export writes the file where the engine runs; against a remote ClickHouse use --format ndjson or csv, or clickhouse-client ... FORMAT Parquet');
          }
          fs.rmSync(out, { force: true });
          await sink.command(
            `INSERT INTO FUNCTION file({out:String}, 'Parquet') SELECT * ${where} ORDER BY timestamp`,
            { ...params, out },
          );
          process.stderr.write(`exported ${count} rows of ${options.table} to ${out}\n`);
          return;
        }
        const fd = fs.openSync(out, 'w');
        try {
          let written = 0;
          let header: string[] | undefined;
          while (written < count) {
            const rows = await sink.query<Record<string, unknown>>(
              `SELECT * ${where} ORDER BY ${order} LIMIT {limit:UInt32} OFFSET {offset:UInt64}`,
              { ...params, limit: pageRows, offset: written },
            );
            if (!rows.length) break;
            let chunk = '';
            if (options.format === 'csv') {
              if (!header) {
                header = Object.keys(rows[0]);
                chunk += `${header.map(csvField).join(',')}\n`;
              }
              for (const row of rows) {
                chunk += `${header.map((c) => csvField(typeof row[c] === 'object' ? JSON.stringify(row[c]) : String(row[c] ?? ''))).join(',')}\n`;
              }
            } else {
              for (const row of rows) chunk += `${JSON.stringify(row)}\n`;
            }
            fs.writeSync(fd, chunk);
            written += rows.length;
            if (count > pageRows) process.stderr.write(`\r${written}/${count} rows (${Math.floor((written / count) * 100)}%)`);
          }
          if (count > pageRows) process.stderr.write('\n');
          process.stderr.write(`exported ${written} rows of ${options.table} to ${out}\n`);
        } finally {
          fs.closeSync(fd);
        }
      });
    });
}
