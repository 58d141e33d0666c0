/**
 * Fills the TTL slots of the migrations. DDL cannot take bound {name:Type} parameters (TTL is part of the table
 * definition, not a value), so the days are validated as whole numbers first and only then written into the text.
 */

export interface RetentionOptions {
  /** The row tables (TTL retention 'raw' in exporter/rows/table-registry.ts). Default 90 in config. */
  readonly retentionDays: number;
  /** Rollups and alerts. Default 730 in config. */
  readonly rollupRetentionDays: number;
}

/** 100 years: beyond that a TTL is a typo, and DateTime arithmetic near its 2106 limit misbehaves. */
const MAX_DAYS = 36_500;

export function validateRetentionDays(name: string, envName: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_DAYS) {
    throw new RangeError(`${name} must be a whole number of days from 1 to ${MAX_DAYS}, got ${JSON.stringify(value)}; set ${envName} to e.g. 90`);
  }
  return value;
}

export function renderRetention(sql: string, options: RetentionOptions): string {
  const raw = validateRetentionDays('retentionDays', 'OTEL_ACTIVITY_RETENTION_DAYS', options.retentionDays);
  const rollup = validateRetentionDays('rollupRetentionDays', 'OTEL_ACTIVITY_ROLLUP_RETENTION_DAYS', options.rollupRetentionDays);
  return sql.replace(/\{\{(\w+)\}\}/g, (slot, key: string) => {
    if (key === 'retention_days') return String(raw);
    if (key === 'rollup_retention_days') return String(rollup);
    throw new Error(`otel-activity: unknown template slot ${slot} in a migration; only {{retention_days}} and {{rollup_retention_days}} exist`);
  });
}
