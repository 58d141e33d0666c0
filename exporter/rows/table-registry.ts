/**
 * Every table the migrations create, described once: the row tables spans map to, the rollups and alerts derived
 * from them, and the migrations' own bookkeeping. Queue, stats, admin operations, the query allow-list and the cluster
 * DDL all read their lists from here; adding a row table means a descriptor here, its mapper and its migration.
 */
import type { ActivityKind, ActivitySpan } from 'otel-activity/contract';
import { spanToAccessRow } from './span-to-access-row';
import { spanToActivityRow } from './span-to-activity-row';
import { spanToAuthRow } from './span-to-auth-row';
import { spanToExternalRow } from './span-to-external-row';

/**
 * Which retention setting a table's TTL follows (retentionDays or rollupRetentionDays), and the expression it counts
 * from; the migration's `TTL <from> + INTERVAL {{retention_days}} DAY` says the same, a test holds them together.
 */
export interface TableTtl {
  readonly retention: 'raw' | 'rollup';
  readonly from: string;
}

/** Any table the migrations create. Column names and expressions here are fixed, never user input. */
export interface TableDescriptor {
  readonly name: string;
  /** Inserts through a cluster's Distributed table go to the shard this picks; rand() when absent. */
  readonly shardingKey?: string;
  /** The column holding the user id, when erase-user must delete from this table. */
  readonly userColumn?: string;
  /** Absent: rows are kept until deleted. */
  readonly ttl?: TableTtl;
}

/** A table that activity spans become rows of. */
export interface RowTableDescriptor<Name extends string = string, Row extends object = object> extends TableDescriptor {
  readonly name: Name;
  /** The span's activity kind (see kindOf) that routes it here. */
  readonly kind: ActivityKind;
  /** Maps one span; every string value capped at maxLength UTF-16 units. */
  readonly toRow: (span: ActivitySpan, maxLength: number) => Row;
  /** Under load shedding the lowest goes first: a lost page view costs less than a lost login record. */
  readonly dropPriority: number;
  readonly shardingKey: string;
  readonly userColumn: string;
  readonly ttl: TableTtl;
  /** The rollup tables its materialized views feed. */
  readonly rollups: readonly string[];
}

function rowTable<Name extends string, Row extends object>(descriptor: RowTableDescriptor<Name, Row>): RowTableDescriptor<Name, Row> {
  return descriptor;
}

const RAW_TTL: TableTtl = { retention: 'raw', from: 'toDateTime(timestamp)' };
const DAILY_TTL: TableTtl = { retention: 'rollup', from: 'day' };
// A trace's rows stay together, and a retried batch lands on the same shard, where block deduplication sees it.
const BY_TRACE = 'cityHash64(trace_id)';

/** In the order admin operations report them. */
export const ROW_TABLES = [
  rowTable({
    name: 'access_log',
    kind: 'access',
    toRow: spanToAccessRow,
    dropPriority: 0,
    shardingKey: BY_TRACE,
    userColumn: 'user_id',
    ttl: RAW_TTL,
    rollups: ['access_route_daily', 'access_client_daily', 'active_users_daily', 'engagement_session_daily', 'engagement_user_days'],
  }),
  rowTable({
    name: 'auth_events',
    kind: 'auth',
    toRow: spanToAuthRow,
    dropPriority: 3,
    shardingKey: BY_TRACE,
    userColumn: 'user_id',
    ttl: RAW_TTL,
    rollups: ['auth_daily', 'active_users_daily'],
  }),
  rowTable({
    name: 'external_calls',
    kind: 'external',
    toRow: spanToExternalRow,
    dropPriority: 2,
    shardingKey: BY_TRACE,
    userColumn: 'user_id',
    ttl: RAW_TTL,
    rollups: ['external_cost_daily', 'active_users_daily'],
  }),
  rowTable({
    name: 'activities',
    kind: 'custom',
    toRow: spanToActivityRow,
    dropPriority: 1,
    shardingKey: BY_TRACE,
    userColumn: 'user_id',
    ttl: RAW_TTL,
    rollups: ['active_users_daily'],
  }),
] as const;

/** Rollups (fed by the row tables' views) and alerts (written by the alert evaluator), in report order. */
export const DERIVED_TABLES: readonly TableDescriptor[] = [
  { name: 'access_route_daily', ttl: DAILY_TTL },
  { name: 'access_client_daily', ttl: DAILY_TTL },
  { name: 'auth_daily', ttl: DAILY_TTL },
  { name: 'external_cost_daily', ttl: DAILY_TTL, userColumn: 'user_id' },
  // uniq() states hold hashes of user ids, not the ids (as access_client_daily's): nothing for erase-user to find.
  { name: 'active_users_daily', ttl: DAILY_TTL },
  { name: 'engagement_session_daily', ttl: DAILY_TTL },
  // One row per user and month: it expires with the month's last day.
  { name: 'engagement_user_days', ttl: { retention: 'rollup', from: 'toLastDayOfMonth(month)' }, userColumn: 'user_id' },
  // ReplacingMergeTree only collapses versions that live on the same shard.
  { name: 'alerts', ttl: { retention: 'rollup', from: 'toDateTime(created_at)' }, userColumn: 'subject', shardingKey: 'cityHash64(id)' },
];

/** schema_migrations (schemas/schema-migrations.sql): two processes recording one version collapse on one shard. */
export const BOOKKEEPING_TABLES: readonly TableDescriptor[] = [{ name: 'schema_migrations', shardingKey: 'version' }];

export type RowTable = (typeof ROW_TABLES)[number];
export type TableName = RowTable['name'];
/** The row type of one table, as its mapper returns it. */
export type RowOf<T extends TableName> = ReturnType<Extract<RowTable, { readonly name: T }>['toRow']>;

export const TABLE_NAMES: readonly TableName[] = ROW_TABLES.map((t) => t.name);

export const ALL_TABLES: readonly TableDescriptor[] = [...ROW_TABLES, ...DERIVED_TABLES, ...BOOKKEEPING_TABLES];

/** The row table a kind of span goes to. */
export const ROW_TABLE_BY_KIND: ReadonlyMap<ActivityKind, RowTable> = new Map(ROW_TABLES.map((t) => [t.kind, t]));

/** Lower drops first (see RowTableDescriptor.dropPriority). */
export const DROP_PRIORITY: Readonly<Record<TableName, number>> = recordOf((t) => t.dropPriority);

/** Tables read through the service's /api/query and /api/tables: the row tables, rollups and alerts. */
export const QUERYABLE_TABLE_NAMES: readonly string[] = [...ROW_TABLES, ...DERIVED_TABLES].map((t) => t.name);

/** Tables erase-user deletes from, with the column holding the user id. */
export const USER_COLUMNS: ReadonlyArray<readonly [table: string, column: string]> = ALL_TABLES.flatMap((t) =>
  t.userColumn === undefined ? [] : [[t.name, t.userColumn] as const],
);

/** Tables whose TTL follows retentionDays, with the expression it counts from. */
export const RAW_TTL_TABLES = ttlTables('raw');
/** Tables whose TTL follows rollupRetentionDays, with the expression it counts from. */
export const ROLLUP_TTL_TABLES = ttlTables('rollup');

const BY_NAME: ReadonlyMap<string, TableDescriptor> = new Map(ALL_TABLES.map((t) => [t.name, t]));

/** The descriptor of a table the migrations create, or undefined. */
export function tableDescriptor(name: string): TableDescriptor | undefined {
  return BY_NAME.get(name);
}

function ttlTables(retention: TableTtl['retention']): ReadonlyArray<readonly [table: string, from: string]> {
  return ALL_TABLES.flatMap((t) => (t.ttl?.retention === retention ? [[t.name, t.ttl.from] as const] : []));
}

function recordOf<V>(value: (table: RowTable) => V): Readonly<Record<TableName, V>> {
  return Object.fromEntries(ROW_TABLES.map((t) => [t.name, value(t)])) as Record<TableName, V>;
}
