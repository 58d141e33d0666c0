/**
 * The contract between the SDK and the server package, and the only SDK module the server imports: the
 * attribute vocabulary and activity kinds, the normalised span shape, prices and token cost, IP anonymisation,
 * the in-process sender's shape and the config loader. The server depends on it, never the reverse.
 */
// The whole attribute vocabulary is the contract, so it is re-exported as one module rather than name by name.
export * from './attributes';
export type { ActivitySpan, ActivitySpanEvent, AttributeValue, Attributes, SpanKindNumber } from './activity-span';
export { createPriceTable, costUsd } from './external/price-table';
export type { PriceLookup } from './external/price-table';
export { costOfUsage, priceUsage, NO_USAGE } from './external/token-usage';
export type { TokenUsage } from './external/token-usage';
export { anonymizeIp, normalizeIp } from './request/anonymize-ip';
export type { SendOutcome } from './export/otlp-request';
export type { InProcessSender } from './export/in-process-sender';
export { loadConfig, ConfigError } from './config/config-loader';
export type { DeepPartial, LoadConfigOptions } from './config/config-loader';
export { CONFIG_FIELDS } from './config/config-schema';
export type { ConfigField, ConfigSection } from './config/config-schema';
export type { ActivityConfig, ExporterConfig, ServiceConfig, SdkConfig, IpMode, ModelPrice } from './config/config-types';
