/**
 * The cluster form of the DDL, generated from the same migration files: a Replicated* local table ON CLUSTER,
 * a Distributed table under the original name, materialized views between local tables. Text only here (no
 * Keeper in tests); the single-node DDL itself runs in chDB in schema-migrate.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { clusterDdl } from '../schemas/cluster-ddl';
import { loadMigrations } from '../schemas/migration-files';
import { renderRetention } from '../schemas/retention';
import { splitSqlStatements } from '../schemas/sql-statements';

function statementsOf(name: string): string[] {
  const file = loadMigrations().find((m) => m.name === name)!;
  return splitSqlStatements(renderRetention(file.sql, { retentionDays: 90, rollupRetentionDays: 730 }));
}
const code = (sql: string) =>
  sql
    .split('\n')
    .filter((l) => !l.trim().startsWith('--'))
    .map((l) => l.replace(/\s+--.*$/, ''))
    .join('\n');

describe('clusterDdl', () => {
  it('turns access_log into a replicated local table and a Distributed table sharded by trace id', () => {
    const [table] = statementsOf('001_access_log');
    const [local, distributed] = clusterDdl(table, 'analytics');
    expect(code(local)).toMatch(/^CREATE TABLE IF NOT EXISTS access_log_local ON CLUSTER `analytics`\n\(\n {4}timestamp {6}DateTime64\(3, 'UTC'\) CODEC\(DoubleDelta, ZSTD\(1\)\),/);
    expect(local).toContain("ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/access_log_local', '{replica}')\nPARTITION BY toDate(timestamp)");
    expect(local).toContain('ORDER BY (service, environment, route, timestamp)\nTTL toDateTime(timestamp) + INTERVAL 90 DAY\nSETTINGS ttl_only_drop_parts = 1');
    expect(distributed).toBe(
      'CREATE TABLE IF NOT EXISTS access_log ON CLUSTER `analytics` AS access_log_local\nENGINE = Distributed(`analytics`, currentDatabase(), access_log_local, cityHash64(trace_id))',
    );
  });

  it('keeps engine arguments after the replication path (ReplacingMergeTree version column)', () => {
    const [local, distributed] = clusterDdl(statementsOf('008_alerts')[0], 'analytics');
    expect(local).toContain("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/alerts_local', '{replica}', updated_at)");
    expect(distributed).toContain('Distributed(`analytics`, currentDatabase(), alerts_local, cityHash64(id))');
  });

  it('points materialized views from local table to local table', () => {
    const [, view] = statementsOf('007_external_cost_daily');
    const out = clusterDdl(view, 'analytics');
    expect(out).toHaveLength(1);
    expect(code(out[0])).toMatch(/^CREATE MATERIALIZED VIEW IF NOT EXISTS external_cost_daily_mv ON CLUSTER `analytics` TO external_cost_daily_local AS\nSELECT/);
    expect(out[0]).toContain('FROM external_calls_local\nGROUP BY');
    expect(out[0]).toContain('toDate(timestamp) AS day');
  });

  it('alters the Distributed table too when a column changes, only the local one otherwise', () => {
    expect(clusterDdl('ALTER TABLE access_log ADD COLUMN IF NOT EXISTS region LowCardinality(String)', 'c1')).toEqual([
      'ALTER TABLE access_log_local ON CLUSTER `c1` ADD COLUMN IF NOT EXISTS region LowCardinality(String)',
      'ALTER TABLE access_log ON CLUSTER `c1` ADD COLUMN IF NOT EXISTS region LowCardinality(String)',
    ]);
    expect(clusterDdl('ALTER TABLE access_log MODIFY TTL toDateTime(timestamp) + INTERVAL 30 DAY', 'c1')).toEqual([
      'ALTER TABLE access_log_local ON CLUSTER `c1` MODIFY TTL toDateTime(timestamp) + INTERVAL 30 DAY',
    ]);
  });

  it('changes a codec on the local table only, and a view query to read local tables (migration 011)', () => {
    const statements = statementsOf('011_access_scan_speed');
    expect(clusterDdl(statements[0], 'c1')).toEqual(['ALTER TABLE access_log_local ON CLUSTER `c1` MODIFY COLUMN timestamp CODEC(Delta, LZ4)']);
    const addKey = clusterDdl(statements.find((s) => s.includes('ADD COLUMN IF NOT EXISTS user_key'))!, 'c1');
    expect(addKey.map((s) => s.slice(0, 40))).toEqual(['ALTER TABLE access_log_local ON CLUSTER ', 'ALTER TABLE access_log ON CLUSTER `c1` A']);
    const view = clusterDdl(statements.at(-1)!, 'c1');
    expect(view).toHaveLength(1);
    expect(code(view[0])).toMatch(/^ALTER TABLE access_route_daily_mv ON CLUSTER `c1` MODIFY QUERY\nSELECT/);
    expect(view[0]).toContain('FROM access_log_local\nGROUP BY');
  });

  it('drops a retired view once per node and a retired table as its Distributed and local tables (migration 021)', () => {
    const out = statementsOf('021_drop_unread_rollups').map((s) => clusterDdl(s, 'c1'));
    expect(out).toEqual([
      ['DROP VIEW IF EXISTS access_session_daily_mv ON CLUSTER `c1`'],
      ['DROP TABLE IF EXISTS access_session_daily ON CLUSTER `c1`', 'DROP TABLE IF EXISTS access_session_daily_local ON CLUSTER `c1`'],
      ['DROP VIEW IF EXISTS access_user_daily_mv ON CLUSTER `c1`'],
      ['DROP TABLE IF EXISTS access_user_daily ON CLUSTER `c1`', 'DROP TABLE IF EXISTS access_user_daily_local ON CLUSTER `c1`'],
    ]);
    expect(clusterDdl('DROP TABLE t', 'c1')).toEqual(['DROP TABLE t ON CLUSTER `c1`', 'DROP TABLE t_local ON CLUSTER `c1`']);
    expect(() => clusterDdl('DROP TABLE t SYNC', 'c1')).toThrow('clusterDdl: no cluster form for statement: DROP TABLE t SYNC');
  });

  it('rejects a cluster name that is not an identifier instead of writing it into DDL', () => {
    expect(() => clusterDdl('CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a', 'x` ; DROP TABLE t; --')).toThrow(
      'cluster must be a cluster name from the server\'s remote_servers config (letters, digits, _ . -), got "x` ; DROP TABLE t; --"',
    );
  });
});
