/**
 * EmbeddedSink on real chDB: one INSERT per batch, server-side bound query parameters, and engine errors turned
 * into InsertResults that say whether a retry can help.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseServerError } from '../exporter/sinks/clickhouse-errors';
import { EmbeddedSink } from '../exporter/sinks/embedded-sink';

let dir: string;
let sink: EmbeddedSink;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-sink-'));
  sink = new EmbeddedSink({ dataDir: path.join(dir, 'nested', 'data') });
  await sink.command("CREATE TABLE t (id UInt32, name String, ip IPv6, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id");
});
afterAll(async () => {
  await sink.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('EmbeddedSink', () => {
  it('creates the data directory and writes a pid file naming this process', () => {
    const pidFile = JSON.parse(fs.readFileSync(path.join(dir, 'nested', 'data', 'otel-activity.pid'), 'utf8')) as { pid: number };
    expect(pidFile.pid).toBe(process.pid);
  });

  it('opens the engine with its caches capped for one embedded directory, not a server\'s GiB-sized defaults', async () => {
    const rows = await sink.query<{ name: string; value: string }>(
      "SELECT name, value FROM system.server_settings WHERE name IN ('mark_cache_size', 'index_mark_cache_size', 'uncompressed_cache_size') ORDER BY name",
    );
    expect(rows).toEqual([
      { name: 'index_mark_cache_size', value: String(16 * 1024 * 1024) },
      { name: 'mark_cache_size', value: String(64 * 1024 * 1024) },
      { name: 'uncompressed_cache_size', value: '0' },
    ]);
  });

  it('inserts a batch of rows in one INSERT and reads them back with bound parameters', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `n${i}`, ip: '192.0.2.1', at: '2026-11-23 09:00:00.000' }));
    expect(await sink.insert('t', rows, { dedupToken: 'b1' })).toEqual({ ok: true });
    const [log] = await sink.query<{ n: number }>(
      "SELECT count() AS n FROM system.parts WHERE database = currentDatabase() AND table = 't' AND active",
    );
    expect(log.n).toBe(1);
    const injection = "n1' OR 1=1; --";
    expect(await sink.query('SELECT count() AS n FROM t WHERE name = {name:String}', { name: injection })).toEqual([{ n: 0 }]);
    expect(await sink.query('SELECT id, ip FROM t WHERE name = {name:String}', { name: 'n42' })).toEqual([{ id: 42, ip: '::ffff:192.0.2.1' }]);
    expect(await sink.insert('t', [], { dedupToken: 'empty' })).toEqual({ ok: true });
  });

  it('stores a row without a key the table lacks, a missing key as the default, and sees a column a later ALTER adds or drops', async () => {
    await sink.command(
      "CREATE TABLE c (id UInt32, name String DEFAULT 'unnamed', tags Map(String, String), n Nullable(Int64), k UInt64 MATERIALIZED id * 2) ENGINE = MergeTree ORDER BY id",
    );
    const rows = [
      { id: 1, name: 'tab\there "quoted" \\ back', tags: { a: '1', "it's": 'x\ny' }, n: null },
      // A row from a newer version: a column this table does not have, and a MATERIALIZED one no insert may name.
      { id: 2, tags: {}, n: -5, from_newer_version: 'dropped', k: 99 },
      // Rows go to the engine comma-separated: values that look like row boundaries stay values.
      { id: 5, name: '],[5,"x"],\n[', tags: { '],[': '},{', 'ü€😀': '' }, n: 7 },
    ];
    expect(await sink.insert('c', rows, { dedupToken: 'c1' })).toEqual({ ok: true });
    expect(await sink.query('SELECT id, name, tags, n, k FROM c ORDER BY id')).toEqual([
      { id: 1, name: 'tab\there "quoted" \\ back', tags: { a: '1', "it's": 'x\ny' }, n: null, k: 2 },
      { id: 2, name: 'unnamed', tags: {}, n: -5, k: 4 },
      { id: 5, name: '],[5,"x"],\n[', tags: { '],[': '},{', 'ü€😀': '' }, n: 7, k: 10 },
    ]);
    await sink.command("ALTER TABLE c ADD COLUMN extra String DEFAULT ''");
    expect(await sink.insert('c', [{ id: 3, tags: {}, extra: 'kept' }], { dedupToken: 'c2' })).toEqual({ ok: true });
    expect(await sink.query('SELECT extra FROM c WHERE id = 3')).toEqual([{ extra: 'kept' }]);
    // A column dropped by a statement that bypasses command(): the insert reads the columns again, not a rejection.
    await sink.query('ALTER TABLE c DROP COLUMN extra');
    expect(await sink.insert('c', [{ id: 4, tags: {}, extra: 'gone' }], { dedupToken: 'c3' })).toEqual({ ok: true });
    expect(await sink.query('SELECT id, name FROM c WHERE id = 4')).toEqual([{ id: 4, name: 'unnamed' }]);
  });

  it('reports an unknown table and an unparsable value as non-retryable, with the engine code', async () => {
    const unknown = await sink.insert('no_such_table', [{ id: 1 }], { dedupToken: 'x1' });
    expect(unknown.ok).toBe(false);
    if (unknown.ok) return;
    expect(unknown.retryable).toBe(false);
    expect(unknown.error).toBeInstanceOf(ClickHouseServerError);
    expect((unknown.error as ClickHouseServerError).code).toBe(60);

    const bad = await sink.insert('t', [{ id: 1, name: 'a', ip: 'not-an-ip', at: '2026-11-23 09:00:00.000' }], { dedupToken: 'x2' });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.retryable).toBe(false);
    expect((bad.error as ClickHouseServerError).code).toBe(676);
    expect(bad.error.message).toContain('CANNOT_PARSE_IPV6');
  });

  it('throws ClickHouseServerError with the code from query and command', async () => {
    const error = await sink.query('SELECT nope FROM t').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClickHouseServerError);
    expect((error as ClickHouseServerError).code).toBe(47);
    await expect(sink.command('CREATE TABLE t (a UInt8) ENGINE = MergeTree ORDER BY a')).rejects.toThrow(/already exists/);
  });

  it('a sink that was closed refuses inserts without retry', async () => {
    const closing = new EmbeddedSink({ dataDir: path.join(dir, 'never-opened') });
    await closing.close();
    const result = await closing.insert('t', [{ id: 1 }], { dedupToken: 'c' });
    expect(result).toEqual({ ok: false, retryable: false, error: new Error(`otel-activity: the embedded sink on ${path.join(dir, 'never-opened')} is closed`) });
  });

  it('close releases the directory and removes the pid file', async () => {
    await sink.close();
    expect(fs.existsSync(path.join(dir, 'nested', 'data', 'otel-activity.pid'))).toBe(false);
    await sink.close();
  });
});
