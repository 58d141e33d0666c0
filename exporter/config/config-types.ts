/**
 * The server's config types, inferred from its schema (server-config-schema.ts), and the whole config the server
 * loads: the SDK's section (its own type, from otel-activity) with the exporter's and the service's.
 */
import type { SectionConfig, SectionsConfig, SDK_SECTION } from 'otel-activity/contract';
import type { EXPORTER_SECTION, SERVICE_SECTION } from './server-config-schema';

export type ExporterConfig = SectionConfig<typeof EXPORTER_SECTION>;
export type ServiceConfig = SectionConfig<typeof SERVICE_SECTION>;
export type ActivityConfig = SectionsConfig<readonly [typeof SDK_SECTION, typeof EXPORTER_SECTION, typeof SERVICE_SECTION]>;
/** A top-level key of the config file: sdk, exporter or service. */
export type ConfigSection = keyof ActivityConfig;
