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
export type { InProcessSender, InProcessSenderOptions } from './export/in-process-sender';
// The config: the SDK's section and the generic loader the server builds its own sections on.
export { ConfigError, createConfigLoader } from './config/config-loader';
export type { ConfigLoader, DeepPartial, LoadConfigOptions, SectionsConfig } from './config/section-loader';
export { bool, decimal, field, integer, list, numberMap, oneOf, section, stringMap, text, url } from './config/config-fields';
export type { ConfigField, ConfigSectionSchema, SectionConfig } from './config/config-fields';
export { SDK_SECTION } from './config/config-schema';
export { configTable, describeFields } from './config/config-table';
export type { ConfigFieldDescription } from './config/config-table';
export type { SdkConfig, IpMode, ModelPrice } from './config/config-types';
