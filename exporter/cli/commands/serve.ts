/**
 * `otel-activity serve`: runs the OTLP/HTTP ingest service until SIGTERM/SIGINT, then stops accepting, drains the
 * queue, flushes, closes the engine and exits 0.
 */
import * as path from 'node:path';
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type ActivityConfig, type DeepPartial } from '../../config';
import { startOtlpService } from '../../service/otlp-service';
import { findRunningService } from '../open-sink';

interface ServeOptions {
  host?: string;
  port?: number;
  dataDir?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`--port must be an integer from 0 to 65535, got "${value}"`);
  return port;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the OTLP/HTTP ingest service: POST /v1/traces (protobuf or JSON) into the activity tables')
    .option('--host <host>', 'address to listen on (OTEL_ACTIVITY_HOST, default 127.0.0.1)')
    .option('--port <port>', 'port to listen on (OTEL_ACTIVITY_PORT, default 4318)', parsePort)
    .option('--data-dir <dir>', 'embedded chDB data directory (OTEL_ACTIVITY_DATA_DIR, default ./.otel-activity/data)')
    .addHelpText('after', '\nEndpoints: POST /v1/traces, GET /healthz, GET /metrics (JSON; ?format=prometheus), POST /api/query (one read-only SELECT; viewer or admin token), POST /api/admin/<operation> (admin token).')
    .action(async (options: ServeOptions) => {
      const overrides: DeepPartial<ActivityConfig> = { service: {}, exporter: {} };
      if (options.host !== undefined) overrides.service!.host = options.host;
      if (options.port !== undefined) overrides.service!.port = options.port;
      if (options.dataDir !== undefined) overrides.exporter!.dataDir = options.dataDir;
      const config = loadConfig({ overrides });
      // One owner per data directory: a second serve would only spool, overwrite service.json and the run marker, and
      // on exit delete both, cutting the CLI off from the running one. Refuse before touching anything.
      const owner = config.exporter.clickhouseUrl ? undefined : findRunningService(config.exporter.dataDir);
      if (owner) {
        throw new Error(
          `the data directory ${path.resolve(config.exporter.dataDir)} is in use by the otel-activity service pid ${owner.pid} at ${owner.url}; ` +
            'stop it first, or give this one its own --data-dir',
        );
      }
      // The service logs through diag; a command-line process shows warnings and errors on stderr.
      diag.setLogger(new DiagConsoleLogger(), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
      const service = await startOtlpService({ config });
      const where = config.exporter.clickhouseUrl ? `ClickHouse at ${config.exporter.clickhouseUrl}` : `chDB data in ${path.resolve(config.exporter.dataDir)}`;
      process.stdout.write(`otel-activity service listening on ${service.url} (POST /v1/traces; ${where})\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          process.stdout.write(`otel-activity service: ${signal}, draining the queue…\n`);
          service.close().then(
            () => {
              const stats = service.metrics();
              process.stdout.write(`otel-activity service stopped (inserted ${JSON.stringify(stats.inserted)}, dropped ${stats.droppedTotal})\n`);
              resolve();
            },
            (error: Error) => {
              process.stderr.write(`otel-activity service: shutdown failed: ${error.message}\n`);
              process.exitCode = 1;
              resolve();
            },
          );
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      // chDB keeps native handles open after close; the work is done, so leave now.
      process.exit(process.exitCode ?? 0);
    });
}
