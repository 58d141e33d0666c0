/**
 * Picks the engine the CLI talks to: a remote ClickHouse when OTEL_ACTIVITY_CLICKHOUSE_URL is set; else a running
 * service that owns the data directory (read from `${dataDir}/../service.json`); else the data directory itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ActivityConfig } from '../config';
import type { Sink } from '../sinks/sink';
import { ServiceQuerySink, type ServiceInfo } from './service-query-sink';
import { isProcessAlive } from '../process-alive';

export interface OpenedSink {
  /** The engine itself (both row writer and query engine), or the running service, which only answers queries. */
  readonly sink: Sink | ServiceQuerySink;
  /** For messages: "ClickHouse at …", "service pid … at …", "data directory …". */
  readonly description: string;
}

/** The running service that owns `dataDir`, if its service.json names a live process. */
export function findRunningService(dataDir: string): ServiceInfo | undefined {
  const file = path.join(path.resolve(dataDir), '..', 'service.json');
  let info: ServiceInfo;
  try {
    info = JSON.parse(fs.readFileSync(file, 'utf8')) as ServiceInfo;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(info.pid) || !info.url || !isProcessAlive(info.pid) || info.pid === process.pid) return undefined;
  return info;
}

export function openSink(config: ActivityConfig): OpenedSink {
  if (config.exporter.clickhouseUrl) {
    // Loaded lazily so commands that need no engine (help, reports) start fast.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createSink } = require('../create-sink') as typeof import('../create-sink');
    return { sink: createSink(config.exporter), description: `ClickHouse at ${config.exporter.clickhouseUrl}` };
  }
  const service = findRunningService(config.exporter.dataDir);
  if (service) return { sink: new ServiceQuerySink(service), description: `the otel-activity service (pid ${service.pid}) at ${service.url}` };
  fs.mkdirSync(config.exporter.dataDir, { recursive: true, mode: 0o700 });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EmbeddedSink } = require('../sinks/embedded-sink') as typeof import('../sinks/embedded-sink');
  return { sink: new EmbeddedSink({ dataDir: config.exporter.dataDir }), description: `data directory ${path.resolve(config.exporter.dataDir)}` };
}
