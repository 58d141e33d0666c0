/**
 * otel-activity's public API: record auth events, users, external-call usage and custom activities from app
 * code; set hooks; read the SDK's counters. Start tracing with `--require otel-activity/register` (or
 * `startActivityTracing()` from code).
 */
export { trackAuth } from './auth/track-auth';
export type { TrackAuthOptions } from './auth/track-auth';
export { setUser, configure } from './user/identity';
export type { ActivityHooks, UserIdentity } from './runtime/activity-runtime';
export { recordUsage } from './external/record-usage';
export type { UsageRecord } from './external/record-usage';
export { trackExternalCall } from './external/track-external-call';
export type { TrackExternalCallOptions } from './external/track-external-call';
export { trackActivity } from './activity/track-activity';
export type { TrackActivityOptions } from './activity/track-activity';
export { getActivityStats } from './runtime/activity-stats';
export type { ActivityStats } from './runtime/activity-stats';
export { startActivityTracing } from './setup/start-tracing';
export type { ActivityTracing, StartTracingOptions } from './setup/start-tracing';
export { loadConfig, ConfigError } from './config/config-loader';
export type { DeepPartial, LoadConfigOptions } from './config/config-loader';
export { describeConfig, configTableMarkdown, CONFIG_FIELDS } from './config/config-schema';
export type { ConfigField } from './config/config-fields';
export type { ConfigFieldDescription } from './config/config-table';
export type { ActivityConfig, SdkConfig, ModelPrice, ExportMode, IpMode, OtlpProtocol } from './config/config-types';
export type { AuthEvent, ActivityKind } from './attributes';
export { anonymizeIp } from './request/anonymize-ip';
export { routeTemplate } from './request/route-template';
