/**
 * The OTLP/HTTP ingest service (`otel-activity serve`): POST /v1/traces into ClickHouseSpanExporter, GET /healthz,
 * GET /metrics, the CLI's read-only POST /api/query and named admin operations, the dashboard, and the alert schedule. close() stops accepting, drains the
 * queue, flushes and closes the engine.
 */
import { activitiesToSpans } from '../normalize/from-activity-json';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import type { ActivityConfig } from '../config';
import { startAlertSchedule } from '../analytics/alert-evaluator';
import { ClickHouseSpanExporter } from '../clickhouse-span-exporter';
import type { Sink } from '../sinks/sink';
import { loadDashboardHandler, type DashboardHandler } from './dashboard-mount';
import { handleServiceApi, sendJson } from './query-endpoint';
import { removeServiceFile, writeServiceFile } from './service-file';
import { BodyBudget } from './body-budget';
import { commitFailureCause, IngestHealth } from './ingest-health';
import { startOverloadGuard } from './overload-guard';
import { newServiceCounters, prometheusText, serviceMetrics, type ServiceMetrics } from './service-metrics';
import { handleTraceIngest } from './trace-ingest';

export interface OtlpServiceOptions {
  /** Uses config.service (host, port, tokens, limits) and config.exporter (engine, queue, spool). */
  readonly config: ActivityConfig;
  /** Defaults to a new ClickHouseSpanExporter over config.exporter; one passed in is shut down by close() too. */
  readonly exporter?: ClickHouseSpanExporter;
  /** Write `${dataDir}/../service.json` for the CLI (default: when the engine is embedded chDB). */
  readonly serviceFile?: boolean;
}

export interface OtlpService {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  /** The configured admin token, or the random one generated at start (in service.json, never logged). */
  readonly adminToken: string;
  readonly exporter: ClickHouseSpanExporter;
  metrics(): ServiceMetrics;
  /** Stop accepting, drain and flush the queue, close the engine, remove service.json. Idempotent. */
  close(): Promise<void>;
}

/** How long close() lets in-flight requests finish before cutting their connections. */
const CLOSE_GRACE_MS = 5_000;

export async function startOtlpService(options: OtlpServiceOptions): Promise<OtlpService> {
  const { config } = options;
  // Senders resend (after a timeout, a 503, or to the next process after a restart): each span id is stored once.
  const exporter =
    options.exporter ?? new ClickHouseSpanExporter({
      config: config.exporter,
      recentSpanIds: config.service.dedupRecentSpanIds,
      checkStoredAfterStart: true,
      journal: config.service.ackAfter === 'journal',
    });
  const adminToken = config.service.adminToken || randomBytes(24).toString('base64url');
  const counters = newServiceCounters();
  const startedAt = Date.now();
  let stopping = false;

  await exporter.ready();
  const viewerToken = config.service.viewerToken;
  const dashboard = loadDashboardHandler({ sink: exporter.sink, adminToken, viewerToken, config });
  const api = { sink: exporter.sink, tokens: { adminToken, viewerToken }, config, audit: { service: 'otel-activity', ipMode: config.sdk.ipMode } };
  const guard = startOverloadGuard(config.service);
  const metrics = () => serviceMetrics(counters, exporter.getStats(), exporter.sink.kind, startedAt, guard.takeMaxDelayMs());

  const server = http.createServer((request, response) => {
    route(request, response).catch((error: Error) => {
      diag.error(`otel-activity service: ${request.method} ${request.url} failed: ${error.message}`);
      if (!response.headersSent) sendJson(response, 500, { error: error.message });
      else response.destroy();
    });
  });
  // Slow senders must not hold sockets forever; OTLP requests are small and quick.
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;

  const loopbackOnly = config.service.ingestToken === '' && isLoopbackHost(config.service.host);
  const concurrency = { active: 0, max: config.service.maxConcurrentRequests };
  const bodyBudget = new BodyBudget(config.service.bodyBudgetBytes, config.service.maxBodyBytes);
  const health = new IngestHealth();

  async function route(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://service.local');
    // DNS rebinding: a web page the user opens can reach a token-less service on loopback under a name of its own;
    // a loopback listener without an ingest token answers only to a loopback Host.
    if (loopbackOnly && !isLoopbackHost(request.headers.host)) {
      return sendJson(response, 421, { error: `Host "${request.headers.host ?? ''}" is not this service's loopback address; set OTEL_ACTIVITY_INGEST_TOKEN to serve other names` });
    }
    switch (url.pathname) {
      case '/v1/traces':
      case '/v1/activities':
        return handleTraceIngest(request, response, {
          accept: (spans) => exporter.acceptActivitySpansDurably(spans),
          ingestToken: config.service.ingestToken,
          maxBodyBytes: config.service.maxBodyBytes,
          bodyBudget,
          retryAfterSeconds: config.service.retryAfterSeconds,
          concurrency,
          counters,
          stopping: () => stopping,
          overloaded: guard.refuseReason,
          health,
          commitFailureCause: () => commitFailureCause(exporter.getStats()),
          format: url.pathname === '/v1/activities' ? { path: '/v1/activities', convert: (json) => activitiesToSpans(json) } : undefined,
        });
      case '/healthz': {
        if (stopping) return sendJson(response, 503, { status: 'stopping', sink: exporter.sink.kind });
        const reason = exporter.schemaProblem() ?? health.notReadyReason();
        return sendJson(response, reason ? 503 : 200, reason ? { status: 'not ready', reason, sink: exporter.sink.kind } : { status: 'ok', sink: exporter.sink.kind });
      }
      case '/metrics': {
        const snapshot = metrics();
        if (url.searchParams.get('format') === 'prometheus' || /\btext\/plain\b/.test(request.headers.accept ?? '')) {
          const text = prometheusText(snapshot);
          response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text) });
          response.end(text);
          return;
        }
        return sendJson(response, 200, snapshot);
      }
      default:
        if (await handleServiceApi(request, response, url.pathname, api)) return;
        if (dashboard && (await dashboard(request, response))) return;
        return sendJson(response, 404, { error: `no route ${request.method} ${url.pathname}; OTLP goes to POST /v1/traces, activities as JSON to POST /v1/activities` });
    }
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.service.port, config.service.host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  } catch (error) {
    guard.stop();
    await exporter.shutdown();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new Error(
        `${config.service.host}:${config.service.port} is already in use (another otel-activity serve, or a collector on 4318?); ` +
          'choose another with --port or OTEL_ACTIVITY_PORT',
      );
    }
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.service.host.includes(':') ? `[${config.service.host}]` : config.service.host;
  const url = `http://${host}:${port}`;
  const serviceFile = options.serviceFile ?? config.exporter.clickhouseUrl === '';
  if (serviceFile) writeServiceFile(config.exporter.dataDir, { pid: process.pid, url, adminToken });
  // Alert rules run inside the service, which owns the engine (the CLI's `alerts` runs them on demand).
  const stopAlerts = startAlertSchedule(exporter.sink, config.service);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      stopping = true;
      stopAlerts();
      guard.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const grace = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      grace.unref();
      await closed;
      clearTimeout(grace);
      await exporter.shutdown();
      if (serviceFile) removeServiceFile(config.exporter.dataDir, process.pid);
    })();
    return closing;
  };

  return { url, port, adminToken, exporter, metrics, close };
}

/** localhost, 127.x.x.x or ::1, with or without a port and IPv6 brackets. */
function isLoopbackHost(host: string | undefined): boolean {
  const name = (host ?? '').trim().toLowerCase().replace(/^\[([^\]]*)\](:\d+)?$/, '$1').replace(/^([^:]*):\d+$/, '$1');
  return name === 'localhost' || name === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

export type { DashboardHandler, Sink };
