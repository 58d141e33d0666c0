/**
 * Public API of `otel-activity/exporter`: the ClickHouse span exporter, its sinks and pipeline parts.
 */
export { ClickHouseSpanExporter } from './clickhouse-span-exporter';
export type { AcceptResult, ClickHouseSpanExporterOptions, DurableAcceptResult, ExporterStats } from './clickhouse-span-exporter';
export { createSink } from './create-sink';
export { EmbeddedSink, DataDirInUseError } from './sinks/embedded-sink';
export type { EmbeddedSinkOptions } from './sinks/embedded-sink';
export { HttpSink } from './sinks/http-sink';
export type { HttpSinkOptions } from './sinks/http-sink';
export { ClickHouseAuthError, ClickHouseServerError } from './sinks/clickhouse-errors';
export type { InsertOptions, InsertResult, RowWriter } from './sinks/row-writer';
export type { QueryEngine, QueryParams } from './sinks/query-engine';
export type { Sink } from './sinks/sink';
export { BatchQueue } from './queue/batch-queue';
export type { BatchQueueOptions, OfferResult, QueuedRow } from './queue/batch-queue';
export { BatchWriter } from './queue/batch-writer';
export type { Batch, BatchWriterOptions, WriteOutcome } from './queue/batch-writer';
export { RestartDedup } from './queue/restart-dedup';
export { Spool } from './queue/spool';
export type { SpooledBatch, SpoolOptions } from './queue/spool';
export { backoffDelay, insertWithRetry } from './queue/retry';
export type { RetryHooks, RetryOutcome, RetryPolicy } from './queue/retry';
export { DROP_REASONS, newPipelineStats } from './queue/pipeline-stats';
export type { DropReason, PipelineStats } from './queue/pipeline-stats';
export type { ActivitySpan } from 'otel-activity/contract';
export { readableSpanToActivitySpan } from './normalize/from-readable-span';
export { spanToRow } from './rows/span-to-row';
export type { MappingOptions, RoutedRow } from './rows/span-to-row';
export { DROP_PRIORITY, ROW_TABLES, TABLE_NAMES } from './rows/table-registry';
export type { RowOf, RowTableDescriptor, TableDescriptor, TableName } from './rows/table-registry';
export type { AccessRow, ActivityRow, AuthRow, ExternalCallRow } from './rows/row-types';
export { migrate, MigrationChecksumError, MigrationError } from '../schemas/migrate';
export type { MigrateOptions, MigrateResult } from '../schemas/migrate';
export { startOtlpService } from './service/otlp-service';
export type { OtlpService, OtlpServiceOptions } from './service/otlp-service';
export { OtlpPayloadError, otlpToActivitySpans } from './normalize/from-otlp';
export type { OtlpConversion, SpanRejection } from './normalize/from-otlp';
