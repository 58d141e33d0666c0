/**
 * The exporter for each export mode: OTLP/HTTP JSON to `${otlpEndpoint}/v1/traces` (default), the in-process
 * ClickHouse exporter (required lazily, so chDB is never loaded in otlp mode), or none.
 */
import * as path from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ActivityConfig, ExporterConfig } from '../config/config-types';

type ClickHouseSpanExporterClass = new (options: { config: ExporterConfig }) => SpanExporter;

function loadClickHouseSpanExporter(): ClickHouseSpanExporterClass {
  // dist/sdk/setup → dist/exporter; a computed path keeps the exporter (and chDB) out of the SDK's static imports.
  const modulePath = path.join(__dirname, '..', '..', 'exporter', 'clickhouse-span-exporter');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: chDB loads only in inprocess mode
  const loaded = require(modulePath) as { ClickHouseSpanExporter: ClickHouseSpanExporterClass };
  return loaded.ClickHouseSpanExporter;
}

/** Undefined for exportMode 'none'. */
export function createSpanExporter(config: ActivityConfig): SpanExporter | undefined {
  switch (config.sdk.exportMode) {
    case 'otlp':
      return new OTLPTraceExporter({ url: `${config.sdk.otlpEndpoint}/v1/traces`, headers: { ...config.sdk.otlpHeaders } });
    case 'inprocess': {
      const ClickHouseSpanExporter = loadClickHouseSpanExporter();
      return new ClickHouseSpanExporter({ config: config.exporter });
    }
    case 'none':
      return undefined;
  }
}
