/**
 * Alert rules from schemas/alerts/*.sql: each a SELECT returning (service, subject, value, details) for the subjects
 * that breach it, with a `threshold` parameter and optional others, all overridable from config.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findSchemasDir, parseQueryFile, QueryCatalogError, type QueryParam } from './query-catalog';

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export interface AlertRule {
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly answers: string;
  /** Parameters other than `now`, with their defaults. */
  readonly params: readonly QueryParam[];
  readonly sql: string;
}

export function loadAlertRules(dir: string = findSchemasDir('alerts')): AlertRule[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const sql = fs.readFileSync(file, 'utf8');
      const parsed = parseQueryFile(file, sql);
      const severity = /^--\s*severity:\s*(\w+)/m.exec(sql)?.[1] ?? 'warning';
      if (!(ALERT_SEVERITIES as readonly string[]).includes(severity)) throw new QueryCatalogError(`${file}: severity must be info, warning or critical, got ${severity}`);
      const params = parsed.params.filter((p) => p.name !== 'now');
      if (!params.some((p) => p.name === 'threshold' && p.defaultValue !== undefined)) {
        throw new QueryCatalogError(`${file}: an alert rule needs "threshold Float64 = <default>" in its params`);
      }
      return { name: parsed.name, severity: severity as AlertSeverity, answers: parsed.answers, params, sql };
    });
}

/**
 * The bound values of one rule: header defaults, overridden by config's alertThresholds, where `<rule>` sets the
 * threshold and `<rule>.<param>` any other parameter (e.g. "after-hours-admin.start_hour": 7).
 */
export function ruleParams(rule: AlertRule, thresholds: Readonly<Record<string, number>>): Record<string, number> {
  const values: Record<string, number> = {};
  for (const param of rule.params) {
    const configured = param.name === 'threshold' ? thresholds[rule.name] : thresholds[`${rule.name}.${param.name}`];
    const value = configured ?? Number(param.defaultValue);
    if (!Number.isFinite(value)) {
      throw new QueryCatalogError(`alert rule ${rule.name}: parameter ${param.name} needs a number in alertThresholds["${param.name === 'threshold' ? rule.name : `${rule.name}.${param.name}`}"]`);
    }
    values[param.name] = value;
  }
  return values;
}
