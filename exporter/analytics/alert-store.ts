/**
 * Reads and changes alerts in the `alerts` table (ReplacingMergeTree(updated_at)): a change of status is a new
 * version of the whole row with a later updated_at, read back with FINAL.
 */
import { randomUUID } from 'node:crypto';
import type { QueryEngine } from '../sinks/query-engine';
import type { RowWriter } from '../sinks/row-writer';
import type { Sink } from '../sinks/sink';
import { toClickHouseTime } from '../rows/format-timestamp';
import type { AlertSeverity } from './alert-rules';

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

export interface AlertRecord {
  id: string;
  created_at: string;
  updated_at: string;
  service: string;
  rule: string;
  severity: AlertSeverity;
  status: AlertStatus;
  subject: string;
  value: number;
  threshold: number;
  details: string;
  acknowledged_by: string;
  acknowledged_at: string | null;
  resolved_at: string | null;
}

/** The current version of each alert (FINAL), with times and enums as text. */
const SELECT_ALERTS = `SELECT toString(id) AS id, toString(created_at) AS created_at, toString(updated_at) AS updated_at, service, rule,
       toString(severity) AS severity, toString(status) AS status, subject, value, threshold, details, acknowledged_by,
       if(isNull(acknowledged_at), NULL, toString(acknowledged_at)) AS acknowledged_at,
       if(isNull(resolved_at), NULL, toString(resolved_at)) AS resolved_at
FROM alerts FINAL`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isAlertId(text: string): boolean {
  return UUID.test(text);
}

export function newAlert(fields: Pick<AlertRecord, 'service' | 'rule' | 'severity' | 'subject' | 'value' | 'threshold' | 'details'>, now: Date): AlertRecord {
  const at = toClickHouseTime(now);
  return { id: randomUUID(), created_at: at, updated_at: at, status: 'open', acknowledged_by: '', acknowledged_at: null, resolved_at: null, ...fields };
}

export interface AlertFilter {
  /** Default: every status. */
  readonly statuses?: readonly AlertStatus[];
  /** One rule, severity or service; '' or absent: all. */
  readonly rule?: string;
  readonly severity?: AlertSeverity | '';
  readonly service?: string;
  readonly limit?: number;
}

/** Current versions matching `filter`, newest first. */
export async function listAlerts(sink: QueryEngine, filter: AlertFilter = {}): Promise<AlertRecord[]> {
  const rows = await sink.query<AlertRecord>(
    `${SELECT_ALERTS}
     WHERE (length({statuses:Array(String)}) = 0 OR has({statuses:Array(String)}, toString(status)))
       AND ({rule:String} = '' OR rule = {rule:String})
       AND ({severity:String} = '' OR toString(severity) = {severity:String})
       AND ({service:String} = '' OR service = {service:String})
     ORDER BY created_at DESC, id
     LIMIT {limit:UInt32}`,
    { statuses: [...(filter.statuses ?? [])], rule: filter.rule ?? '', severity: filter.severity ?? '', service: filter.service ?? '', limit: filter.limit ?? 1000 },
  );
  return rows.map((r) => ({ ...r, value: Number(r.value), threshold: Number(r.threshold) }));
}

export async function getAlert(sink: QueryEngine, id: string): Promise<AlertRecord | undefined> {
  if (!isAlertId(id)) return undefined;
  const rows = await sink.query<AlertRecord>(
    `${SELECT_ALERTS} WHERE id = {id:String}`,
    { id },
  );
  return rows[0] ? { ...rows[0], value: Number(rows[0].value), threshold: Number(rows[0].threshold) } : undefined;
}

export async function writeAlerts(sink: RowWriter, alerts: readonly AlertRecord[]): Promise<void> {
  if (!alerts.length) return;
  const result = await sink.insert('alerts', alerts, { dedupToken: `alerts-${alerts.map((a) => `${a.id}@${a.updated_at}`).join(',')}` });
  if (!result.ok) throw result.error;
}

/** Marks an alert acknowledged; returns the new version, or undefined when there is no alert with that id. */
export async function acknowledgeAlert(sink: Sink, id: string, by: string, now: Date = new Date()): Promise<AlertRecord | undefined> {
  const current = await getAlert(sink, id);
  if (!current) return undefined;
  if (current.status !== 'open') return current;
  const at = laterThan(current.updated_at, now);
  const next: AlertRecord = { ...current, status: 'acknowledged', acknowledged_by: by, acknowledged_at: at, updated_at: at };
  await writeAlerts(sink, [next]);
  return next;
}

/** `now` as ClickHouse text, moved 1 ms past `previous` when the clock has not advanced: the newest version must win. */
export function laterThan(previous: string, now: Date): string {
  const prev = new Date(`${previous.replace(' ', 'T')}Z`).getTime();
  return toClickHouseTime(new Date(Math.max(now.getTime(), prev + 1)));
}
