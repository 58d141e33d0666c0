/**
 * A ClickHouse engine on one connection, as both a RowWriter (the pipeline's batches, alerts, manual activities) and
 * a QueryEngine (everything else). EmbeddedSink (chDB, in-process) and HttpSink (@clickhouse/client, a server or
 * cluster) implement it.
 */
import type { QueryEngine } from './query-engine';
import type { RowWriter } from './row-writer';

export type { InsertOptions, InsertResult, RowWriter } from './row-writer';
export type { QueryEngine, QueryParams } from './query-engine';

export interface Sink extends RowWriter, QueryEngine {}
