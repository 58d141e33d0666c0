/**
 * The SDK's config types, inferred from its schema (config-schema.ts), so a type and its validation cannot drift.
 * Loaded and validated once by `loadConfig()` (config-loader.ts) from options, an optional JSON file
 * (OTEL_ACTIVITY_CONFIG) and environment variables.
 */
import type * as v from 'valibot';
import type { MODEL_PRICE, SectionConfig } from './config-fields';
import type { SDK_SECTION } from './config-schema';
import type { SectionsConfig } from './section-loader';

export type SdkConfig = SectionConfig<typeof SDK_SECTION>;

/** Where spans go: OTLP/HTTP to the exporter service (default), the in-process ClickHouse exporter, the console, or nowhere. */
export type ExportMode = SdkConfig['exportMode'];
/** grpc is accepted (apps set it for their own SDK) but sent as http/protobuf, with a warning. */
export type OtlpProtocol = SdkConfig['otlpProtocol'];
export type IpMode = SdkConfig['ipMode'];
/** USD per million tokens: input, output, and optionally cached input, cache writes and reasoning. */
export type ModelPrice = v.InferOutput<typeof MODEL_PRICE>;

/** What the SDK loads: its own section. The server's config (otel-activity-server) adds its sections beside it. */
export type ActivityConfig = SectionsConfig<readonly [typeof SDK_SECTION]>;
