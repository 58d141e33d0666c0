/**
 * Prints result rows as a terminal table (cli-table3), JSON or CSV. Cell text is made printable: control characters
 * in attacker-controlled values (user agents, paths) are shown escaped so they cannot drive the terminal.
 */
import Table from 'cli-table3';
import { UsageError } from './cli-errors';

export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];

export function parseFormat(text: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(text)) return text as OutputFormat;
  throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${text}"`);
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatRows(rows: ReadonlyArray<Record<string, unknown>>, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  const columns = rows.length ? Object.keys(rows[0]) : [];
  if (format === 'csv') {
    const lines = [columns.map(csvField).join(',')];
    for (const row of rows) lines.push(columns.map((c) => csvField(cellText(row[c]))).join(','));
    return rows.length ? `${lines.join('\n')}\n` : '';
  }
  if (!rows.length) return '(no rows)\n';
  const table = new Table({ head: columns, style: { head: [], border: [] } });
  for (const row of rows) table.push(columns.map((c) => printable(cellText(row[c]))));
  return `${table.toString()}\n${rows.length} row${rows.length === 1 ? '' : 's'}\n`;
}

/** What a report run printed besides its rows: the window and whether it stopped at its limit. */
export interface ReportMeta {
  readonly name: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number | null;
  readonly offset: number;
  readonly truncated: boolean;
}

function nextPage(meta: ReportMeta): string {
  return `stopped at limit ${meta.limit}: more rows exist; next page: --param offset=${meta.offset + (meta.limit ?? 0)}, or raise --param limit`;
}

/**
 * A report's output. JSON is `{ name, from, to, rows, limit, offset, truncated, next_offset }` (the dashboard's
 * /api/reports answer has the same name, from, to and rows); a table ends with a footer that says when the limit
 * cut the rows and how to get the next page; CSV stays rows only.
 */
export function formatReport(rows: ReadonlyArray<Record<string, unknown>>, format: OutputFormat, meta: ReportMeta): string {
  if (format === 'json') {
    const nextOffset = meta.truncated ? meta.offset + (meta.limit ?? 0) : null;
    return `${JSON.stringify({ ...meta, next_offset: nextOffset, rows }, null, 2)}\n`;
  }
  const text = formatRows(rows, format);
  if (format === 'csv' || !meta.truncated) return text;
  return `${text}${nextPage(meta)}\n`;
}

/** The one line a CSV report writes to stderr when its limit cut the rows (CSV has no room for it). */
export function truncationNotice(meta: ReportMeta): string {
  return meta.truncated ? `otel-activity: report ${meta.name} ${nextPage(meta)}\n` : '';
}
