/**
 * The dashboard's HTTP handler: the static page (no build step; chart.js served from node_modules) and a JSON API
 * over the named queries, alerts and activities, every API call authorised by the viewer or admin token (acknowledging an alert and
 * recording an activity by hand by the admin token only) and recorded as an audit row.
 * Returns false for paths that are not its own, so a host server (the OTLP service) can mount it beside its routes.
 */
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { ALERT_SEVERITIES, loadAlertRules, type AlertSeverity } from '../analytics/alert-rules';
import { acknowledgeAlert, isAlertId, listAlerts, type AlertStatus } from '../analytics/alert-store';
import { QueryCatalog, QueryCatalogError } from '../analytics/query-catalog';
import { resolveWindow } from '../analytics/since';
import { apiRoleOf } from '../service/api-access';
import type { Sink } from '../sinks/sink';
import type { IpMode } from 'otel-activity/contract';
import { ActivitiesQueryError, activitiesReportParams, readActivities, type ActivitiesRequest } from './activities-read';
import { recordAudit } from './audit-log';
import { ManualActivityError, manualActivityRow } from './manual-activity';
import { BodyError, readBody } from '../service/read-body';
import { packageAsset } from '../package-assets';

export interface DashboardOptions {
  readonly sink: Sink;
  /** OTEL_ACTIVITY_ADMIN_TOKEN: reads and acknowledges alerts; when both tokens are empty every API call is refused. */
  readonly adminToken: string;
  /** OTEL_ACTIVITY_VIEWER_TOKEN: reads only (reports, alerts); '' means none. */
  readonly viewerToken?: string;
  /** service.name written on audit rows. */
  readonly serviceName?: string;
  readonly catalog?: QueryCatalog;
  /** Any other fields (the service passes its config) are ignored. */
  readonly [key: string]: unknown;
}

export type DashboardHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

const STATIC_FILES: Readonly<Record<string, readonly [string, string]>> = {
  '/dashboard': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard/': ['index.html', 'text/html; charset=utf-8'],
  '/dashboard/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/dashboard/format.js': ['format.js', 'text/javascript; charset=utf-8'],
  '/dashboard/app.css': ['app.css', 'text/css; charset=utf-8'],
};

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function staticDir(): string {
  return path.dirname(packageAsset('dashboard/static/index.html'));
}

function chartJsFile(): string {
  // chart.js's "exports" hides dist/chart.umd.js; its main entry sits in the same folder.
  return path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
}

function send(response: ServerResponse, status: number, body: string | Buffer, type: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...SECURITY_HEADERS, ...extra });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  send(response, status, JSON.stringify(body), 'application/json; charset=utf-8', { 'cache-control': 'no-store' });
}

export function createDashboardHandler(options: DashboardOptions): DashboardHandler {
  const catalog = options.catalog ?? QueryCatalog.load();
  const dir = staticDir();
  const sdkConfig = (options.config as { sdk?: { serviceName?: string; ipMode?: IpMode } } | undefined)?.sdk;
  const service = options.serviceName ?? sdkConfig?.serviceName ?? 'otel-activity';
  const auditContext = { service, ipMode: sdkConfig?.ipMode ?? 'anonymize' };
  const serviceConfig = (options.config as { service?: { sessionIdleMinutes?: number; sessionExpiringMinutes?: number } } | undefined)?.service;
  const idle = serviceConfig?.sessionIdleMinutes ?? 15;
  const expiring = serviceConfig?.sessionExpiringMinutes ?? 25;
  // Sessions unseen for 5 minutes past "about to expire" (30 by default) are taken as gone.
  const sessionThresholds = { idle_minutes: String(idle), expire_minutes: String(expiring), ttl_minutes: String(Math.max(30, expiring + 5)) };
  // The rules the service evaluates (schemas/alerts), read once on the first alerts read: the choices of the rule filter.
  let ruleNames: readonly string[] | undefined;
  const alertRuleNames = (): readonly string[] => (ruleNames ??= loadAlertRules().map((r) => r.name));

  async function api(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (!options.adminToken && !options.viewerToken) return sendJson(response, 403, { error: 'the dashboard API is off: set OTEL_ACTIVITY_VIEWER_TOKEN or OTEL_ACTIVITY_ADMIN_TOKEN and restart the service' });
    const role = apiRoleOf(request, { adminToken: options.adminToken, viewerToken: options.viewerToken ?? '' });
    if (!role) return sendJson(response, 401, { error: 'missing or wrong token (Authorization: Bearer <viewer or admin token>)' });
    const audit = { ...auditContext, actor: role };
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // /api/reports
    if (parts.length === 2 && parts[1] === 'reports' && request.method === 'GET') {
      await recordAudit(options.sink, audit, request, { actor: audit.actor, action: 'dashboard.read', resourceType: 'report', resourceId: '*', details: {} });
      return sendJson(response, 200, catalog.list().map((q) => ({ name: q.name, answers: q.answers, source: q.source, params: q.params })));
    }
    // /api/reports/:name?since=24h&from=&to=&param=value
    if (parts.length === 3 && parts[1] === 'reports' && request.method === 'GET') {
      const name = parts[2];
      const values: Record<string, string> = {};
      for (const [key, value] of url.searchParams) if (!['since', 'from', 'to'].includes(key)) values[key] = value;
      // A session's status thresholds are the service's config (OTEL_ACTIVITY_SESSION_*_MINUTES) unless the URL asks otherwise.
      if (name === 'sessions-now') Object.assign(values, { ...sessionThresholds, ...values });
      let params: Record<string, string | number | boolean>;
      let window: { from: string; to: string };
      try {
        const query = catalog.get(name);
        window = resolveWindow({ since: url.searchParams.get('since') || undefined, from: url.searchParams.get('from') || undefined, to: url.searchParams.get('to') || undefined });
        const declared = new Set(query.params.map((p) => p.name));
        params = catalog.bind(name, { ...(declared.has('from') ? { from: window.from } : {}), ...(declared.has('to') ? { to: window.to } : {}), ...values });
      } catch (error) {
        const status = error instanceof QueryCatalogError && /no report named/.test(error.message) ? 404 : 400;
        if (error instanceof QueryCatalogError || error instanceof RangeError) return sendJson(response, status, { error: error.message });
        throw error;
      }
      await recordAudit(options.sink, audit, request, { actor: audit.actor, action: 'dashboard.read', resourceType: 'report', resourceId: name, details: params });
      const rows = await options.sink.query(catalog.get(name).sql, params);
      return sendJson(response, 200, { name, ...window, rows });
    }
    // /api/alerts?status=open,acknowledged&rule=&severity=&service=: the alerts and the rule names to filter by.
    if (parts.length === 2 && parts[1] === 'alerts' && request.method === 'GET') {
      const statuses = (url.searchParams.get('status') ?? 'open,acknowledged').split(',').filter(Boolean);
      if (statuses.some((s) => !['open', 'acknowledged', 'resolved'].includes(s))) {
        return sendJson(response, 400, { error: `status must be a comma list of open, acknowledged, resolved, got "${statuses.join(',')}"` });
      }
      const severity = url.searchParams.get('severity') ?? '';
      if (severity && !ALERT_SEVERITIES.includes(severity as AlertSeverity)) {
        return sendJson(response, 400, { error: `severity must be one of ${ALERT_SEVERITIES.join(', ')}, got "${severity}"` });
      }
      // Only the filters given, so an unfiltered read's audit row stays as it was.
      const filters: Record<string, string> = {};
      for (const key of ['rule', 'severity', 'service']) if (url.searchParams.get(key)) filters[key] = url.searchParams.get(key) as string;
      await recordAudit(options.sink, audit, request, { actor: audit.actor, action: 'dashboard.read', resourceType: 'alerts', resourceId: statuses.join(','), details: filters });
      const alerts = await listAlerts(options.sink, { statuses: statuses as AlertStatus[], ...filters, severity: severity as AlertSeverity | '' });
      return sendJson(response, 200, { alerts, rules: alertRuleNames() });
    }
    // POST /api/alerts/:id/ack
    if (parts.length === 4 && parts[1] === 'alerts' && parts[3] === 'ack') {
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'use POST to acknowledge an alert' });
      if (role !== 'admin') return sendJson(response, 403, { error: 'acknowledging an alert needs the admin token; the viewer token only reads' });
      const id = parts[2];
      if (!isAlertId(id)) return sendJson(response, 400, { error: `alert id must be a UUID, got "${id}"` });
      await recordAudit(options.sink, audit, request, { actor: audit.actor, action: 'admin.ack', resourceType: 'alert', resourceId: id, details: {} });
      const alert = await acknowledgeAlert(options.sink, id, `dashboard:${(request.socket.remoteAddress ?? '').replace(/^::ffff:/, '')}`);
      if (!alert) return sendJson(response, 404, { error: `no alert with id ${id}` });
      return sendJson(response, 200, { alert });
    }
    // GET /api/activities?user_id=&action=&resource_type=&resource_id=&since=&limit=&offset=: one page, newest first.
    if (parts.length === 2 && parts[1] === 'activities' && request.method === 'GET') {
      let read: ActivitiesRequest;
      try {
        read = activitiesReportParams(catalog, url.searchParams);
      } catch (error) {
        if (error instanceof ActivitiesQueryError) return sendJson(response, 400, { error: error.message });
        throw error;
      }
      await recordAudit(options.sink, audit, request, { actor: audit.actor, action: 'api.read', resourceType: 'activities', resourceId: '*', details: read.params });
      return sendJson(response, 200, await readActivities(options.sink, catalog, read));
    }
    // POST /api/activities: an activity recorded by hand (admin token), audited beside it.
    if (parts.length === 2 && parts[1] === 'activities') {
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'use GET /api/activities to read activities, POST (admin token) to record one' });
      if (role !== 'admin') return sendJson(response, 403, { error: 'recording an activity needs the admin token; the viewer token only reads' });
      let row;
      try {
        row = manualActivityRow((await readBody(request, 16 * 1024)).toString('utf8'), request, auditContext.ipMode);
      } catch (error) {
        if (error instanceof BodyError) return sendJson(response, error.status, { error: error.message });
        if (error instanceof ManualActivityError) return sendJson(response, 400, { error: error.message });
        throw error;
      }
      await recordAudit(options.sink, audit, request, { actor: audit.actor, action: 'admin.operation', resourceType: 'activity', resourceId: row.action, details: { span_id: row.span_id, service: row.service, user: row.user_id } });
      const result = await options.sink.insert('activities', [row], { dedupToken: `manual-${row.span_id}` });
      if (!result.ok) return sendJson(response, 503, { error: `the activity was not stored: ${result.error.message}` });
      return sendJson(response, 201, { activity: row });
    }
    return sendJson(response, 404, { error: `no dashboard API ${request.method} ${url.pathname}; see GET /api/reports` });
  }

  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/' && request.method === 'GET') {
      response.writeHead(302, { location: '/dashboard', 'content-length': 0 });
      response.end();
      return true;
    }
    const file = STATIC_FILES[url.pathname];
    if (file && request.method === 'GET') {
      send(response, 200, fs.readFileSync(path.join(dir, file[0])), file[1], { 'cache-control': 'no-cache' });
      return true;
    }
    if (url.pathname === '/dashboard/chart.umd.js' && request.method === 'GET') {
      send(response, 200, fs.readFileSync(chartJsFile()), 'text/javascript; charset=utf-8', { 'cache-control': 'max-age=3600' });
      return true;
    }
    if (url.pathname === '/api/reports' || url.pathname.startsWith('/api/reports/') || url.pathname === '/api/alerts' || url.pathname.startsWith('/api/alerts/') || url.pathname === '/api/activities') {
      try {
        await api(request, response, url);
      } catch (error) {
        if (!response.headersSent) sendJson(response, 500, { error: (error as Error).message });
      }
      return true;
    }
    return false;
  };
}
