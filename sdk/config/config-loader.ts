/**
 * The SDK's config loader: its own section (`sdk`) through the generic loader (section-loader.ts), which the server
 * package builds on for its sections. Loaded once at the app's start, so it holds nothing of the server's.
 */
import { SDK_SECTION } from './config-schema';
import type { ActivityConfig } from './config-types';
import { createConfigLoader, type LoadConfigOptions as SectionLoadOptions } from './section-loader';

export { ConfigError, createConfigLoader } from './section-loader';
export type { ConfigLoader, DeepPartial, SectionsConfig } from './section-loader';

export type LoadConfigOptions = SectionLoadOptions<ActivityConfig>;

const SDK_LOADER = createConfigLoader([SDK_SECTION]);

/**
 * Reads, merges and validates the SDK's configuration. Throws ConfigError on the first problem unless the load is
 * lenient. Unknown OTEL_ACTIVITY_* names are problems only when misspelt SDK names by default: the others may be the
 * server's (an environment shared with `otel-activity serve`, or the in-process exporter's own section).
 */
export function loadConfig(options: LoadConfigOptions = {}): ActivityConfig {
  return SDK_LOADER.load({ ...options, unknownNames: options.unknownNames ?? 'misspelled' });
}
