/**
 * The table registry against the migration files it describes: the same tables, and every column, TTL, sharding key
 * and rollup a descriptor names is in the DDL. Text only (the DDL itself runs in chDB in schema-migrate.test.ts).
 */
import { describe, expect, it } from 'vitest';
import type { ActivitySpan } from '../sdk/activity-span';
import { ALL_TABLES, DROP_PRIORITY, ROW_TABLES, TABLE_NAMES, USER_COLUMNS } from '../exporter/rows/table-registry';
import { spanToRow } from '../exporter/rows/span-to-row';
import { loadMigrations, readSchemaMigrationsDdl } from '../schemas/migration-files';
import { parseDrop, splitSqlStatements } from '../schemas/sql-statements';

interface TableDdl {
  /** Columns a writer sends: not MATERIALIZED ones. */
  readonly written: Set<string>;
  readonly materialized: Set<string>;
  /** `TTL <from> + INTERVAL {{slot}} DAY`, or undefined. */
  readonly ttl: { readonly from: string; readonly slot: string } | undefined;
}

const code = (sql: string): string =>
  sql
    .split('\n')
    .map((l) => l.replace(/--.*$/, ''))
    .filter((l) => l.trim() !== '')
    .join('\n');

/** Every table the migrations (and schema-migrations.sql) create and keep, with its columns after every ALTER … ADD COLUMN. */
function readSchema(): { tables: Map<string, TableDdl>; views: Array<{ name: string; target: string; source: string }> } {
  const tables = new Map<string, TableDdl>();
  const views: Array<{ name: string; target: string; source: string }> = [];
  const statements = [readSchemaMigrationsDdl(), ...loadMigrations().map((m) => m.sql)].flatMap((sql) => splitSqlStatements(sql).map(code));
  for (const sql of statements) {
    const table = /^CREATE TABLE IF NOT EXISTS (\w+)\s*\(([\s\S]*)\)\s*ENGINE\b/.exec(sql);
    if (table) {
      const ddl: TableDdl = { written: new Set(), materialized: new Set(), ttl: undefined };
      for (const line of table[2].split('\n')) {
        const column = /^\s*(\w+)\s+[A-Z]/.exec(line);
        if (!column || /^(INDEX|PROJECTION|CONSTRAINT)$/.test(column[1])) continue;
        (/\bMATERIALIZED\b/.test(line) ? ddl.materialized : ddl.written).add(column[1]);
      }
      const ttl = /\bTTL\s+(.+?)\s+\+\s+INTERVAL\s+\{\{(\w+)\}\}\s+DAY/.exec(sql);
      tables.set(table[1], { ...ddl, ttl: ttl ? { from: ttl[1], slot: ttl[2] } : undefined });
      continue;
    }
    const added = /^ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+)\s(.*)$/.exec(sql);
    if (added) {
      const ddl = tables.get(added[1])!;
      (/\bMATERIALIZED\b/.test(added[3]) ? ddl.materialized : ddl.written).add(added[2]);
      continue;
    }
    const view = /^CREATE MATERIALIZED VIEW IF NOT EXISTS (\w+) TO (\w+) AS[\s\S]*?\bFROM (\w+)/.exec(sql);
    if (view) views.push({ name: view[1], target: view[2], source: view[3] });
    // A later migration retires a view or a table.
    const dropped = parseDrop(sql);
    if (dropped?.kind === 'TABLE') tables.delete(dropped.name);
    const droppedView = dropped?.kind === 'VIEW' ? views.findIndex((v) => v.name === dropped.name) : -1;
    if (droppedView !== -1) views.splice(droppedView, 1);
  }
  return { tables, views };
}

const schema = readSchema();

function spanOfKind(kind: string): ActivitySpan {
  return {
    traceId: '0123456789abcdef0123456789abcdef',
    spanId: '0123456789abcdef',
    parentSpanId: '',
    name: 'span',
    kind: 1,
    startTimeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    durationMs: 1,
    statusCode: 0,
    statusMessage: '',
    attributes: { 'activity.kind': kind },
    resource: { 'service.name': 'api' },
    events: [],
  };
}

describe('table registry', () => {
  it('describes exactly the tables the migrations and schema-migrations.sql create', () => {
    expect(ALL_TABLES.map((t) => t.name).sort()).toEqual([...schema.tables.keys()].sort());
    expect(new Set(ALL_TABLES.map((t) => t.name)).size).toBe(ALL_TABLES.length);
  });

  it('names only columns the tables have: user column and the columns of the sharding key', () => {
    for (const table of ALL_TABLES) {
      const ddl = schema.tables.get(table.name)!;
      const columns = new Set([...ddl.written, ...ddl.materialized]);
      if (table.userColumn !== undefined) expect(columns.has(table.userColumn), `${table.name}.${table.userColumn}`).toBe(true);
      const keyColumns = (table.shardingKey ?? '').replace(/\w+\(/g, '(').match(/\w+/g) ?? [];
      for (const column of keyColumns) expect(columns.has(column), `${table.name} sharding key ${table.shardingKey}`).toBe(true);
    }
  });

  it('gives every table the TTL its migration writes: raw tables the raw retention, rollups and alerts the rollup one', () => {
    for (const table of ALL_TABLES) {
      const slot = { raw: 'retention_days', rollup: 'rollup_retention_days' } as const;
      const expected = table.ttl === undefined ? undefined : { from: table.ttl.from, slot: slot[table.ttl.retention] };
      expect(schema.tables.get(table.name)!.ttl, table.name).toEqual(expected);
    }
  });

  it('lists for each row table the rollups its materialized views feed', () => {
    for (const table of ROW_TABLES) {
      const fed = schema.views.filter((v) => v.source === table.name).map((v) => v.target);
      expect([...table.rollups].sort(), table.name).toEqual(fed.sort());
    }
    const fromRowTables = schema.views.filter((v) => (TABLE_NAMES as readonly string[]).includes(v.source)).length;
    expect(fromRowTables).toBe(schema.views.length);
  });

  it("maps each row table's kind of span to a row with exactly the columns a writer sends", () => {
    for (const table of ROW_TABLES) {
      const routed = spanToRow(spanOfKind(table.kind));
      expect(routed?.table).toBe(table.name);
      expect(Object.keys(routed!.row).sort(), table.name).toEqual([...schema.tables.get(table.name)!.written].sort());
    }
  });

  it('derives the lists the pipeline and admin operations read', () => {
    expect(TABLE_NAMES).toEqual(['access_log', 'auth_events', 'external_calls', 'activities']);
    expect(DROP_PRIORITY).toEqual({ access_log: 0, activities: 1, external_calls: 2, auth_events: 3 });
    expect(USER_COLUMNS).toEqual([
      ['access_log', 'user_id'],
      ['auth_events', 'user_id'],
      ['external_calls', 'user_id'],
      ['activities', 'user_id'],
      ['external_cost_daily', 'user_id'],
      ['engagement_user_days', 'user_id'],
      ['alerts', 'subject'],
    ]);
  });
});
