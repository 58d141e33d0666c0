/**
 * Records every /api/* use (dashboard, query, admin operations) as an `activities` row (who looked at what),
 * through the Sink.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { ActivityRow } from '../rows/row-types';
import type { RowWriter } from '../sinks/row-writer';
import { toClickHouseTime } from '../rows/format-timestamp';
import type { IpMode } from 'otel-activity/contract';
import { anonymizeIp } from 'otel-activity/contract';

export interface AuditEntry {
  readonly action: 'dashboard.read' | 'admin.ack' | 'api.query' | 'api.read' | 'admin.operation';
  /** The role of the token used ('admin', 'viewer'); default 'admin'. */
  readonly actor?: string;
  readonly resourceType: string;
  readonly resourceId: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface AuditContext {
  readonly service: string;
  /** The same IP policy as the app's own rows: the dashboard user is a person too. */
  readonly ipMode: IpMode;
}

export async function recordAudit(sink: RowWriter, context: AuditContext, request: IncomingMessage, entry: AuditEntry): Promise<void> {
  const { service } = context;
  const clientIp = anonymizeIp(request.socket.remoteAddress ?? '', context.ipMode) ?? '::';
  const row: ActivityRow = {
    timestamp: toClickHouseTime(new Date()),
    trace_id: randomBytes(16).toString('hex'),
    span_id: randomBytes(8).toString('hex'),
    service,
    environment: '',
    // Tokens are shared per role, so the actor is the role; the address tells sessions apart.
    user_id: entry.actor ?? 'admin',
    session_id: '',
    action: entry.action,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    details: JSON.stringify(entry.details),
    client_ip: clientIp,
    user_agent: String(request.headers['user-agent'] ?? '').slice(0, 512),
    attributes: {},
  };
  const result = await sink.insert('activities', [row], { dedupToken: `audit-${row.span_id}` });
  if (!result.ok) diag.warn(`otel-activity dashboard: audit row not written: ${result.error.message}`);
}
