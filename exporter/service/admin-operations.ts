/**
 * The named admin operations (migrate, retention, cleanup, erase-user, reprice, alert ack, alert evaluation, status): what the
 * admin token can do instead of raw SQL. The CLI runs them on its own engine, or asks the running service for them
 * (POST /api/admin/<name>), and prints the same lines either way.
 */
import { eraseUserFromRejectedBatches, expireRejectedBatches } from '../queue/rejected-batches';
import { spoolDirOf } from '../queue/spool';
import { AlertEvaluator } from '../analytics/alert-evaluator';
import { acknowledgeAlert, isAlertId, type AlertRecord } from '../analytics/alert-store';
import { reprice } from '../analytics/reprice';
import { resolveWindow } from '../analytics/since';
import { migrate } from '../../schemas/migrate';
import { retentionViews } from '../../schemas/view-retention';
import type { ActivityConfig } from '../config';
import { createPriceTable } from 'otel-activity/contract';
import type { Sink } from '../sinks/sink';
import { existingTables } from '../cli/existing-tables';
import { RAW_TTL_TABLES, ROLLUP_TTL_TABLES, TABLE_NAMES, USER_COLUMNS } from '../rows/table-registry';

/** Bad arguments (HTTP 400), with what was wrong and what is expected. */
export class OperationArgumentError extends Error {
  override readonly name = 'OperationArgumentError';
}

/** What the operation should act on does not exist (HTTP 404; a runtime error, not a usage error, in the CLI). */
export class OperationNotFoundError extends Error {
  override readonly name = 'OperationNotFoundError';
}

export interface OperationResult {
  /** What the CLI prints on stdout, one line each. */
  readonly lines: string[];
  readonly data?: unknown;
}

type Args = Readonly<Record<string, unknown>>;
type Operation = (sink: Sink, args: Args, config: ActivityConfig) => Promise<OperationResult>;

export const OPERATION_NAMES = ['migrate', 'retention', 'cleanup', 'erase-user', 'reprice', 'alert-ack', 'alerts-evaluate', 'status'] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

export function isOperationName(name: string): name is OperationName {
  return (OPERATION_NAMES as readonly string[]).includes(name);
}

export function runOperation(name: OperationName, sink: Sink, args: Args, config: ActivityConfig): Promise<OperationResult> {
  return OPERATIONS[name](sink, args, config);
}

/** A whole number of days from 1 to 36500, from a flag (string) or a JSON body (number). */
export function parseDays(value: unknown, flag: string): number {
  const text = String(value ?? '').trim();
  const days = Number(text);
  if (!/^\d+$/.test(text) || days < 1 || days > 36_500) throw new OperationArgumentError(`${flag} must be a whole number of days from 1 to 36500, got "${String(value)}"`);
  return days;
}

const OPERATIONS: Record<OperationName, Operation> = {
  async migrate(sink, _args, config) {
    const { retentionDays, rollupRetentionDays } = config.exporter;
    const result = await migrate(sink, { retentionDays, rollupRetentionDays });
    return { lines: [result.applied.length ? `applied ${result.applied.join(', ')}` : 'the schema is up to date'], data: result };
  },

  async retention(sink, args, config) {
    const days = parseDays(args.days, '--days');
    const rollupDays = args.rollupDays === undefined ? undefined : parseDays(args.rollupDays, '--rollup-days');
    const tables = await existingTables(sink);
    const missing = RAW_TTL_TABLES.filter(([t]) => !tables.has(t)).map(([t]) => t);
    if (missing.length) throw new OperationArgumentError(`there is no ${missing.join(', ')}; run "otel-activity migrate" first`);
    const lines: string[] = [];
    for (const [table, column] of RAW_TTL_TABLES) {
      await sink.command(`ALTER TABLE {table:Identifier} MODIFY TTL ${column} + toIntervalDay({days:UInt32})`, { table, days });
      lines.push(`${table}: rows kept ${days} days`);
    }
    // The rollup views skip rows already past raw retention; their filter moves with it, or a shorter retention would
    // leave rollups counting rows the raw tables drop (and a longer one, dropping rows the raw tables keep).
    for (const { view, statement } of retentionViews({ retentionDays: days, rollupRetentionDays: rollupDays ?? config.exporter.rollupRetentionDays })) {
      if (!tables.has(view)) continue;
      await sink.command(statement);
      lines.push(`${view}: rolls up the rows kept ${days} days`);
    }
    if (rollupDays !== undefined) {
      for (const [table, column] of ROLLUP_TTL_TABLES) {
        if (!tables.has(table)) continue;
        await sink.command(`ALTER TABLE {table:Identifier} MODIFY TTL ${column} + toIntervalDay({days:UInt32})`, { table, days: rollupDays });
        lines.push(`${table}: rows kept ${rollupDays} days`);
      }
    }
    return { lines };
  },

  async cleanup(sink, args, config) {
    const days = args.days === undefined ? config.exporter.retentionDays : parseDays(args.days, '--days');
    const rollupDays = args.rollupDays === undefined ? config.exporter.rollupRetentionDays : parseDays(args.rollupDays, '--rollup-days');
    const tables = await existingTables(sink);
    const jobs: Array<[string, string, number]> = [
      ...RAW_TTL_TABLES.map(([t, column]): [string, string, number] => [t, column, days]),
      ...ROLLUP_TTL_TABLES.map(([t, column]): [string, string, number] => [t, column, rollupDays]),
    ];
    const lines: string[] = [];
    for (const [table, column, keep] of jobs) {
      if (!tables.has(table)) continue;
      const cutoff = `${column} < now() - toIntervalDay({days:UInt32})`;
      const [{ n }] = await sink.query<{ n: string | number }>(`SELECT count() AS n FROM {table:Identifier} WHERE ${cutoff}`, { table, days: keep });
      if (Number(n) > 0) await sink.command(`DELETE FROM {table:Identifier} WHERE ${cutoff}`, { table, days: keep });
      lines.push(`${table}: deleted ${Number(n)} rows older than ${keep} days`);
    }
    lines.push(`spool/rejected: deleted ${await expireRejectedBatches(spoolDirOf(config.exporter), days)} batches older than ${days} days`);
    return { lines };
  },

  async 'erase-user'(sink, args, config) {
    const id = typeof args.userId === 'string' ? args.userId : '';
    if (id.trim() === '') throw new OperationArgumentError('erase-user needs a non-empty user id ("userId")');
    const tables = await existingTables(sink);
    let total = 0;
    const lines: string[] = [];
    for (const [table, column] of USER_COLUMNS) {
      if (!tables.has(table)) continue;
      const where = `${column} = {id:String}`;
      const [{ n }] = await sink.query<{ n: string | number }>(`SELECT count() AS n FROM {table:Identifier} WHERE ${where}`, { table, id });
      if (Number(n) > 0) await sink.command(`DELETE FROM {table:Identifier} WHERE ${where}`, { table, id });
      total += Number(n);
      lines.push(`${table}: deleted ${Number(n)} rows`);
    }
    // Batches the engine refused for good hold the same rows: the erasure covers them too.
    const fromRejected = await eraseUserFromRejectedBatches(spoolDirOf(config.exporter), id);
    lines.push(`spool/rejected: deleted ${fromRejected} rows`);
    total += fromRejected;
    lines.push(`erased ${total} rows for user ${JSON.stringify(id)}`);
    return { lines, data: { total } };
  },

  async reprice(sink, args, config) {
    const text = (key: string): string | undefined => (typeof args[key] === 'string' && args[key] !== '' ? (args[key] as string) : undefined);
    if (!text('since') && !text('from')) throw new OperationArgumentError('reprice needs a window: --since 30d, or --from (and --to)');
    let window: { from: string; to: string };
    try {
      window = resolveWindow({ since: text('since'), from: text('from'), to: text('to') });
    } catch (error) {
      if (error instanceof RangeError) throw new OperationArgumentError(error.message);
      throw error;
    }
    const dryRun = args.dryRun === true;
    const result = await reprice(sink, {
      ...window,
      retentionDays: config.exporter.retentionDays,
      priceOf: createPriceTable(config.sdk.modelPrices),
      dryRun,
    });
    const verb = dryRun ? 'would change' : 'changed';
    return {
      lines: [
        `external_calls ${window.from} → ${window.to} UTC: ${result.considered} model calls priced from the price table or unpriced`,
        `${verb} the cost of ${result.changed} rows (${result.newlyPriced} of them were unpriced), by ${result.costChangeUsd} USD in total; ${result.stillUnpriced} calls still have no price`,
        `external_cost_daily: ${dryRun ? 'would get' : 'corrected by'} ${result.rollupCorrections} rows of the same amounts`,
      ],
      data: { ...window, ...result, dryRun },
    };
  },

  async 'alert-ack'(sink, args) {
    const id = typeof args.id === 'string' ? args.id : '';
    if (!isAlertId(id)) throw new OperationArgumentError(`an alert id is a UUID like 123e4567-e89b-12d3-a456-426614174000, got "${id}"`);
    const by = typeof args.by === 'string' && args.by !== '' ? args.by.slice(0, 200) : 'admin';
    const alert: AlertRecord | undefined = await acknowledgeAlert(sink, id, by);
    if (!alert) throw new OperationNotFoundError(`no alert with id ${id}; run "otel-activity alerts" to list them`);
    return { lines: [`alert ${alert.id} (${alert.rule} ${alert.subject}) is ${alert.status}`], data: alert };
  },

  async 'alerts-evaluate'(sink, _args, config) {
    const result = await new AlertEvaluator({ sink, thresholds: config.service.alertThresholds, webhookUrl: config.service.alertWebhookUrl }).evaluate();
    const failed = result.failures.length ? `, failed: ${result.failures.map((f) => `${f.rule} (${f.error})`).join('; ')}` : '';
    return { lines: [`rules run: ${result.fired.length} new, ${result.resolved.length} resolved${failed}`], data: { fired: result.fired.length, resolved: result.resolved.length } };
  },

  async status(sink) {
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
      // Row tables have a timestamp column; rollups count days, alerts their creation.
      if ((TABLE_NAMES as readonly string[]).includes(name)) {
        const [row] = await sink.query<{ newest: string }>("SELECT if(count() = 0, '', toString(max(timestamp))) AS newest FROM {table:Identifier}", { table: name });
        newest = row?.newest ?? '';
      }
      const part = byTable.get(name);
      rows.push({ table: name, rows: Number(part?.rows ?? 0), bytes: Number(part?.bytes ?? 0), newest_row: newest, last_write: part?.last_write ?? '' });
    }
    return { lines: [], data: rows };
  },
};
