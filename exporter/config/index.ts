/**
 * The server's configuration: its schema, types and loader (the SDK's section included), for the service, the CLI
 * and the in-process exporter.
 */
export { CONFIG_FIELDS, configTableMarkdown, describeConfig, loadConfig, loadExporterConfig } from './load-config';
export type { LoadConfigOptions } from './load-config';
export { EXPORTER_SECTION, SERVICE_SECTION } from './server-config-schema';
export type { ActivityConfig, ConfigSection, ExporterConfig, ServiceConfig } from './config-types';
export { ConfigError } from 'otel-activity/contract';
export type { DeepPartial } from 'otel-activity/contract';
