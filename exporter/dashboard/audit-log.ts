/**
 * Records every dashboard/admin API use as an `activities` row (seed 003: who looked at what), through the Sink.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { ActivityRow } from '../rows/row-types';
import type { Sink } from '../sinks/sink';
import { toClickHouseTime } from '../analytics/since';

export interface AuditEntry {
  readonly action: 'dashboard.read' | 'admin.ack';
  readonly resourceType: string;
  readonly resourceId: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export async function recordAudit(sink: Sink, service: string, request: IncomingMessage, entry: AuditEntry): Promise<void> {
  const remote = request.socket.remoteAddress ?? '';
  const row: ActivityRow = {
    timestamp: toClickHouseTime(new Date()),
    trace_id: randomBytes(16).toString('hex'),
    span_id: randomBytes(8).toString('hex'),
    service,
    environment: '',
    // The dashboard has one shared admin token, so the actor is "admin"; the address tells sessions apart.
    user_id: 'admin',
    session_id: '',
    action: entry.action,
    resource_type: entry.resourceType,
    resource_id: entry.resourceId,
    details: JSON.stringify(entry.details),
    client_ip: remote.replace(/^::ffff:/, ''),
    user_agent: String(request.headers['user-agent'] ?? '').slice(0, 512),
    attributes: {},
  };
  const result = await sink.insert('activities', [row], { dedupToken: `audit-${row.span_id}` });
  if (!result.ok) diag.warn(`otel-activity dashboard: audit row not written: ${result.error.message}`);
}
