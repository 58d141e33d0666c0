/**
 * An activity recorded by hand from the dashboard (POST /api/activities, admin token): validated, written to
 * `activities` like a trackActivity() row; the admin.operation audit row beside it names its span id, so it can be told apart.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ActivityRow } from '../rows/row-types';
import { toClickHouseTime } from '../rows/format-timestamp';
import type { IpMode } from 'otel-activity/contract';
import { anonymizeIp } from 'otel-activity/contract';

export class ManualActivityError extends Error {}

const FIELDS = ['service', 'environment', 'user', 'action', 'resource_type', 'resource_id', 'details'] as const;
const NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;

function text(body: Record<string, unknown>, key: string, max: number): string {
  const value = body[key] ?? '';
  if (typeof value !== 'string') throw new ManualActivityError(`${key} must be a string, got ${JSON.stringify(value)}`);
  if (value.length > max) throw new ManualActivityError(`${key} must be at most ${max} characters, got ${value.length}`);
  return value.trim();
}

/** The row for a JSON body { action, user?, resource_type?, resource_id?, details?, service?, environment? }. */
export function manualActivityRow(json: string, request: IncomingMessage, ipMode: IpMode, now = new Date()): ActivityRow {
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    throw new ManualActivityError('the body must be a JSON object like {"action": "refund.issued", "user": "u1"}');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ManualActivityError('the body must be a JSON object like {"action": "refund.issued", "user": "u1"}');
  const fields = body as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length) throw new ManualActivityError(`unknown field ${unknown.join(', ')}; the fields are ${FIELDS.join(', ')}`);
  const action = text(fields, 'action', 128);
  if (!NAME.test(action)) throw new ManualActivityError(`action must be 1 to 128 letters, digits or _ . : / -, got "${action}"`);
  const service = text(fields, 'service', 128) || 'manual';
  // The service's own name marks audit rows, which reports leave out: a hand-made activity must not pose as one.
  if (service === 'otel-activity') throw new ManualActivityError('service "otel-activity" is reserved for the service\'s audit rows; name the app');
  return {
    timestamp: toClickHouseTime(now),
    trace_id: randomBytes(16).toString('hex'),
    span_id: randomBytes(8).toString('hex'),
    service,
    environment: text(fields, 'environment', 128),
    user_id: text(fields, 'user', 256),
    session_id: '',
    action,
    resource_type: text(fields, 'resource_type', 128),
    resource_id: text(fields, 'resource_id', 256),
    details: text(fields, 'details', 4096),
    client_ip: anonymizeIp(request.socket.remoteAddress ?? '', ipMode) ?? '::',
    user_agent: String(request.headers['user-agent'] ?? '').slice(0, 512),
    attributes: {},
  };
}
