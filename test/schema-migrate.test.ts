/**
 * Migrations on real chDB: applied in order and recorded, idempotent, TTL from options, clear errors for
 * bad options, failed statements and edited applied migrations.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TABLES } from '../exporter/rows/table-registry';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';
import { migrate, MigrationChecksumError, MigrationError } from '../schemas/migrate';
import { loadMigrations } from '../schemas/migration-files';

const ALL = [
  '001_access_log',
  '002_auth_events',
  '003_external_calls',
  '004_activities',
  '005_access_route_daily',
  '006_auth_daily',
  '007_external_cost_daily',
  '008_alerts',
  '009_insert_deduplication',
  '010_access_client_daily',
  '011_access_scan_speed',
  '012_rollup_retention',
  '013_external_call_usage',
  '014_engagement_daily',
  '015_active_users_daily',
  '016_external_cost_by_provider',
  '017_engagement_rollup',
  '018_access_trace_key',
  '019_access_day_projections',
  '020_access_engagement_projections',
  '021_drop_unread_rollups',
  '022_access_vertical_merges',
  '023_engagement_user_day_bits',
  '024_active_users_all_services',
  '025_active_users_activities',
];

let dir: string;
let sink: EmbeddedSink;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-migrate-'));
  sink = new EmbeddedSink({ dataDir: path.join(dir, 'data') });
});
afterAll(async () => {
  await sink.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migrate', () => {
  it('applies every migration in order the first time and nothing the second time', async () => {
    const first = await migrate(sink, { retentionDays: 30, rollupRetentionDays: 400 });
    expect(first.applied).toEqual(ALL);
    const second = await migrate(sink, { retentionDays: 30, rollupRetentionDays: 400 });
    expect(second.applied).toEqual([]);
  });

  it('leaves exactly the tables the registry describes, each rollup fed by its views (021 dropped two unread ones)', async () => {
    const tables = await sink.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine != 'MaterializedView' ORDER BY name",
    );
    expect(tables.map((t) => t.name)).toEqual(ALL_TABLES.map((t) => t.name).sort());
    const views = await sink.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine = 'MaterializedView' AND name LIKE 'access\\_%' ORDER BY name",
    );
    expect(views.map((v) => v.name)).toEqual(['access_client_daily_mv', 'access_route_daily_mv']);
  });

  it('records version, name and file checksum of each migration in schema_migrations', async () => {
    const rows = await sink.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations FINAL ORDER BY version',
    );
    const files = loadMigrations();
    expect(rows).toEqual(files.map((f) => ({ version: f.version, name: f.name, checksum: f.checksum })));
    expect(rows.map((r) => r.name)).toEqual(ALL);
  });

  it('writes the configured retention days into the TTL of raw tables and rollups', async () => {
    for (const table of ['access_log', 'auth_events', 'external_calls', 'activities']) {
      const [{ statement }] = await sink.query<{ statement: string }>(`SHOW CREATE TABLE ${table}`);
      expect(statement).toContain('TTL toDateTime(timestamp) + toIntervalDay(30)');
      expect(statement).toContain('ttl_only_drop_parts = 1');
    }
    for (const table of ['access_route_daily', 'auth_daily', 'external_cost_daily']) {
      const [{ statement }] = await sink.query<{ statement: string }>(`SHOW CREATE TABLE ${table}`);
      expect(statement).toContain('TTL day + toIntervalDay(400)');
    }
  });

  it("merges access_log's small parts a column at a time (vertical merges from one row), keeping the dedup window", async () => {
    const [{ statement }] = await sink.query<{ statement: string }>('SHOW CREATE TABLE access_log');
    expect(statement).toContain('vertical_merge_algorithm_min_rows_to_activate = 1');
    expect(statement).toContain('vertical_merge_algorithm_min_columns_to_activate = 1');
    expect(statement).toContain('non_replicated_deduplication_window = 1000');
  });

  it('creates the column types analytics rely on', async () => {
    const types = await sink.query<{ name: string; type: string }>(
      "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'external_calls' AND name IN ('timestamp', 'cost_usd', 'client_ip', 'attributes', 'provider') ORDER BY name",
    );
    expect(types).toEqual([
      { name: 'attributes', type: 'Map(LowCardinality(String), String)' },
      // Nullable since 013: NULL is an unpriced model call.
      { name: 'cost_usd', type: 'Nullable(Decimal(18, 9))' },
      { name: 'provider', type: 'LowCardinality(String)' },
      { name: 'timestamp', type: "DateTime64(3, 'UTC')" },
    ]);
    const ip = await sink.query<{ type: string }>("SELECT type FROM system.columns WHERE database = currentDatabase() AND table = 'access_log' AND name = 'client_ip'");
    expect(ip).toEqual([{ type: 'IPv6' }]);
  });

  it('rejects a retention that is not a whole number of days, naming the option and the value', async () => {
    await expect(migrate(sink, { retentionDays: 1.5, rollupRetentionDays: 730 })).rejects.toThrow(
      'retentionDays must be a whole number of days from 1 to 36500, got 1.5; set OTEL_ACTIVITY_RETENTION_DAYS to e.g. 90',
    );
    await expect(migrate(sink, { retentionDays: 90, rollupRetentionDays: Number.NaN })).rejects.toThrow(
      'rollupRetentionDays must be a whole number of days from 1 to 36500, got null',
    );
  });

  it('reports a failed migration with its name, statement and the engine error, and finishes it on the next run', async () => {
    const migrations = path.join(dir, 'bad-migrations');
    fs.mkdirSync(migrations);
    fs.writeFileSync(
      path.join(migrations, '101_good_then_bad.sql'),
      'CREATE TABLE IF NOT EXISTS t_good (a UInt8) ENGINE = MergeTree ORDER BY a;\nCREATE TABLE IF NOT EXISTS t_bad (a NoSuchType) ENGINE = MergeTree ORDER BY a;\n',
    );
    const error = await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: migrations }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    const m = error as MigrationError;
    expect(m.migration).toBe('101_good_then_bad');
    expect(m.statementIndex).toBe(2);
    expect(m.statement).toBe('CREATE TABLE IF NOT EXISTS t_bad (a NoSuchType) ENGINE = MergeTree ORDER BY a');
    expect(m.message).toContain('migration 101_good_then_bad failed at statement 2 of 2 (CREATE TABLE IF NOT EXISTS t_bad');
    expect(m.message).toContain('NoSuchType');
    expect(m.message).toContain('Statements 1-1 of it were applied');
    const recorded = await sink.query('SELECT name FROM schema_migrations WHERE version = 101');
    expect(recorded).toEqual([]);

    fs.writeFileSync(
      path.join(migrations, '101_good_then_bad.sql'),
      'CREATE TABLE IF NOT EXISTS t_good (a UInt8) ENGINE = MergeTree ORDER BY a;\nCREATE TABLE IF NOT EXISTS t_bad (a UInt8) ENGINE = MergeTree ORDER BY a;\n',
    );
    const fixed = await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: migrations });
    expect(fixed.applied).toEqual(['101_good_then_bad']);
  });

  it('refuses to run when an applied migration file was edited', async () => {
    const migrations = path.join(dir, 'edited-migrations');
    fs.mkdirSync(migrations);
    const file = path.join(migrations, '201_edited.sql');
    fs.writeFileSync(file, 'CREATE TABLE IF NOT EXISTS t_edited (a UInt8) ENGINE = MergeTree ORDER BY a;\n');
    expect((await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: migrations })).applied).toEqual(['201_edited']);
    fs.writeFileSync(file, 'CREATE TABLE IF NOT EXISTS t_edited (a UInt16) ENGINE = MergeTree ORDER BY a;\n');
    const error = await migrate(sink, { retentionDays: 90, rollupRetentionDays: 730, migrationsDir: migrations }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationChecksumError);
    expect((error as Error).message).toMatch(/^otel-activity: migration 201_edited was applied with checksum [0-9a-f]{64} but the file now has [0-9a-f]{64}\. Applied migrations must not be edited/);
  });
});
