/**
 * The server's config loader: the SDK's section with the exporter's and the service's, through the SDK's generic
 * loader, so one file (OTEL_ACTIVITY_CONFIG) and one set of variables configure both packages. Knowing every
 * option, it names every unknown OTEL_ACTIVITY_* variable; it also reads the exporter section alone for the
 * in-process exporter inside an app.
 */
import * as path from 'node:path';
import {
  configTable,
  createConfigLoader,
  describeFields,
  SDK_SECTION,
  type ConfigFieldDescription,
  type InProcessSenderOptions,
  type LoadConfigOptions as SectionLoadOptions,
} from 'otel-activity/contract';
import type { ActivityConfig, ExporterConfig } from './config-types';
import { EXPORTER_SECTION, SERVICE_SECTION } from './server-config-schema';

export type LoadConfigOptions = SectionLoadOptions<ActivityConfig>;

const SERVER_LOADER = createConfigLoader([SDK_SECTION, EXPORTER_SECTION, SERVICE_SECTION]);

/** Every option of both packages, in the order the README and `otel-activity config` list them. */
export const CONFIG_FIELDS = SERVER_LOADER.fields;

/** '' means "beside the data directory", so the spool never sits inside chDB's own directory. */
function withSpoolDir(exporter: ExporterConfig): ExporterConfig {
  return exporter.spoolDir !== '' ? exporter : { ...exporter, spoolDir: path.join(exporter.dataDir, '..', 'spool') };
}

/** Reads, merges and validates the whole configuration. Throws ConfigError on the first problem unless the load is lenient. */
export function loadConfig(options: LoadConfigOptions = {}): ActivityConfig {
  const config = SERVER_LOADER.load(options);
  return { ...config, exporter: withSpoolDir(config.exporter) };
}

/**
 * The exporter section alone, for the in-process exporter in an app: the app's SDK has read (and reported on) its
 * own section and every unknown name, and says whether the load is strict.
 */
export function loadExporterConfig(options: InProcessSenderOptions): ExporterConfig {
  return loadConfig({ sections: ['exporter'], unknownNames: 'none', strict: options.strict, onProblem: options.onProblem }).exporter;
}

/** One row per option, for the README's config table and `otel-activity config`. */
export function describeConfig(): ConfigFieldDescription[] {
  return describeFields(CONFIG_FIELDS);
}

/** The config table as Markdown (what the README shows). */
export function configTableMarkdown(): string {
  return configTable(CONFIG_FIELDS);
}
