/**
 * The exporter for each export mode: OTLP/HTTP to `${otlpEndpoint}/v1/traces`, protobuf by default (the OTLP
 * spec's default, and about half the bytes of JSON), the in-process ClickHouse exporter (required lazily, so
 * chDB is never loaded in otlp mode), or none.
 */
import * as path from 'node:path';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ActivityConfig, ExporterConfig, SdkConfig } from '../config/config-types';

type ClickHouseSpanExporterClass = new (options: { config: ExporterConfig }) => SpanExporter;

function loadClickHouseSpanExporter(): ClickHouseSpanExporterClass {
  // dist/sdk/setup → dist/exporter; a computed path keeps the exporter (and chDB) out of the SDK's static imports.
  const modulePath = path.join(__dirname, '..', '..', 'exporter', 'clickhouse-span-exporter');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose: chDB loads only in inprocess mode
  const loaded = require(modulePath) as { ClickHouseSpanExporter: ClickHouseSpanExporterClass };
  return loaded.ClickHouseSpanExporter;
}

function createOtlpExporter(sdk: SdkConfig): SpanExporter {
  const options = { url: `${sdk.otlpEndpoint}/v1/traces`, headers: { ...sdk.otlpHeaders } };
  return sdk.otlpProtocol === 'http/json' ? new OTLPJsonTraceExporter(options) : new OTLPProtoTraceExporter(options);
}

/** Undefined for exportMode 'none'. */
export function createSpanExporter(config: ActivityConfig): SpanExporter | undefined {
  switch (config.sdk.exportMode) {
    case 'otlp':
      return createOtlpExporter(config.sdk);
    case 'inprocess': {
      const ClickHouseSpanExporter = loadClickHouseSpanExporter();
      return new ClickHouseSpanExporter({ config: config.exporter });
    }
    case 'none':
      return undefined;
  }
}
