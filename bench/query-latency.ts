/**
 * Query latency: fills a fresh chDB with N synthetic access rows (plus N/20 auth, N/10 external, N/10 custom activity
 * rows and N/1000 alerts with their acknowledged and resolved versions) made by
 * the engine from a fixed seed, in time order as traffic arrives (bench/sql/generate-*.sql, INSERT … SELECT FROM
 * numbers()), the rollup views filling as they would in production, then times every named query in schemas/queries/ (raw and rollup forms) over the
 * whole 30-day window: median of 5 runs each, after one untimed run. Queries alternate within a round.
 *
 *   node dist/bench/query-latency.js [--full] [--rows N] [--runs N] [--only name1,name2] [--data-dir DIR] [--merged] [--no-write]
 *
 * --only times the named queries alone. --data-dir keeps the generated rows in DIR and, when DIR already holds
 * them (same row count), reuses them instead of generating again (migrations still run, so a new one is applied
 * to the kept rows as in production). --merged runs OPTIMIZE TABLE … FINAL on every table first, as background
 * merges leave them minutes after a load; the output says so, since the default measures the rollups unmerged.
 * The output gives the rollup tables' parts and rows and the merges running when timing started: the rollup forms'
 * times depend on how many unmerged rows their keys have (on the 10M-row bench right after the load: 3.6M rows in 25
 * parts, each key's day already one row per 2M-row insert, as a merge would leave five parts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { numberArg, type BenchArgs } from './lib/bench-args';
import { runStandalone, type BenchMain } from './lib/script-main';
import { median, pass, summarize } from './lib/stats';
import { QueryCatalog } from 'otel-activity-server/internal/exporter/analytics/query-catalog';
import { EmbeddedSink } from 'otel-activity-server/internal/exporter/sinks/embedded-sink';
import { migrate } from 'otel-activity-server/internal/schemas/migrate';

const SQL_DIR = path.resolve(__dirname, '..', '..', 'bench', 'sql');
const SEED = 20261123;
/** A fixed end of the window keeps the data identical run to run; 10-year retention keeps it from expiring (much longer
 * overflows DateTime past 2106 and the TTL then drops rows on insert). */
const END_MS = Date.UTC(2026, 9, 1);
const WINDOW_MS = 30 * 86_400_000;
const CHUNK_ROWS = 2_000_000;
/** Names the generator's output, so --data-dir reuses rows only when they are what this version would generate. */
const DATASET = 'time-ordered-2';

/**
 * Values for the parameters the named queries take; catalogue defaults fill the rest (active-sessions keeps its
 * 15-minute `minutes` default: it is a "who is on right now" report, not a whole-window scan).
 */
const PARAM_VALUES: Record<string, string> = {
  from: new Date(END_MS - WINDOW_MS).toISOString(),
  to: new Date(END_MS).toISOString(),
  user: 'user-42',
  session: 's-42-20260915',
  route: '/api/r7/:id',
  event: 'login',
  min_failures: '3',
  min_requests: '10',
  min_status: '500',
  bucket_minutes: '60',
};

async function generate(sink: EmbeddedSink, file: string, rows: number, users: number): Promise<void> {
  const sql = fs.readFileSync(path.join(SQL_DIR, file), 'utf8');
  for (let first = 0; first < rows; first += CHUNK_ROWS) {
    await sink.command(sql, {
      first,
      count: Math.min(CHUNK_ROWS, rows - first),
      total: rows,
      seed: SEED,
      end_ms: END_MS,
      window_ms: WINDOW_MS,
      users,
    });
  }
}

async function timeQuery(sink: EmbeddedSink, sql: string, params: Record<string, unknown>): Promise<{ ms: number; rows: number }> {
  const start = process.hrtime.bigint();
  const rows = await sink.query(sql, params);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, rows: rows.length };
}

export const main: BenchMain = async (args: BenchArgs, log) => {
  const accessRows = numberArg(args, 'rows', args.full ? 10_000_000 : 1_000_000);
  const runs = numberArg(args, 'runs', 5);
  // ~500 requests per user per month, ~17 per session (one session per user and day): a busy app's shape.
  const users = Math.max(100, Math.round(accessRows / 500));
  const only = args.values.get('only')?.split(',').map((n) => n.trim()).filter((n) => n !== '');
  const merged = args.values.get('merged') === 'true';
  const keptDir = args.values.get('data-dir');
  const dir = keptDir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), 'bench-query-')) : path.resolve(keptDir);
  const sink = new EmbeddedSink({ dataDir: path.join(dir, 'data') });
  try {
    await migrate(sink, { retentionDays: 3650, rollupRetentionDays: 3650 });
    const genStart = Date.now();
    // A log table beside the schema: not a MergeTree, so --merged and the reports never see it.
    await sink.command('CREATE TABLE IF NOT EXISTS bench_dataset (generator String) ENGINE = TinyLog');
    const present = await sink.query<{ n: string | number; g: string }>(
      "SELECT (SELECT count() FROM access_log) AS n, (SELECT any(generator) FROM bench_dataset) AS g",
    );
    const held = Number(present[0].n);
    const reused = keptDir !== undefined && held === accessRows && present[0].g === DATASET;
    if (!reused) {
      if (held !== 0) {
        throw new Error(
          `${dir} holds ${held} access rows of generator '${present[0].g}', not ${accessRows} of '${DATASET}': give another --data-dir`,
        );
      }
      await generate(sink, 'generate-access-rows.sql', accessRows, users);
      await generate(sink, 'generate-auth-rows.sql', Math.round(accessRows / 20), users);
      await generate(sink, 'generate-external-rows.sql', Math.round(accessRows / 10), users);
      await generate(sink, 'generate-activity-rows.sql', Math.round(accessRows / 10), users);
      await generate(sink, 'generate-alert-rows.sql', Math.round(accessRows / 1000), users);
      await sink.command('INSERT INTO bench_dataset VALUES ({g:String})', { g: DATASET });
    }
    const genS = (Date.now() - genStart) / 1000;
    if (merged) {
      const tables = await sink.query<{ name: string }>(
        "SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' ORDER BY name",
      );
      const mergeStart = Date.now();
      for (const t of tables) await sink.command(`OPTIMIZE TABLE \`${t.name}\` FINAL`);
      log(`OPTIMIZE … FINAL of ${tables.length} tables took ${((Date.now() - mergeStart) / 1000).toFixed(1)} s`);
    }
    const state = await rollupState(sink);
    const counts = await sink.query<{ t: string; n: string | number }>(
      "SELECT 'access_log' AS t, count() AS n FROM access_log UNION ALL SELECT 'auth_events', count() FROM auth_events " +
        "UNION ALL SELECT 'external_calls', count() FROM external_calls UNION ALL SELECT 'activities', count() FROM activities " +
        "UNION ALL SELECT 'alerts', uniqExact(id) FROM alerts",
    );
    log(`${reused ? 'reused' : 'generated'} ${counts.map((c) => `${c.t} ${c.n}`).join(', ')} in ${genS.toFixed(1)} s`);

    const catalog = QueryCatalog.load();
    const unknown = (only ?? []).filter((n) => !catalog.list().some((q) => q.name === n));
    if (unknown.length > 0) throw new Error(`--only names no such query: ${unknown.join(', ')}`);
    const queries = catalog
      .list()
      .filter((q) => only === undefined || only.includes(q.name))
      .sort((a, b) => a.name.localeCompare(b.name));
    const bound = new Map<string, Record<string, string | number | boolean>>();
    for (const q of queries) {
      const values: Record<string, string> = {};
      for (const p of q.params) if (PARAM_VALUES[p.name] !== undefined) values[p.name] = PARAM_VALUES[p.name];
      bound.set(q.name, catalog.bind(q.name, values));
      await timeQuery(sink, q.sql, bound.get(q.name)!); // untimed: first read of the parts, plan caches
    }
    // Rounds over all queries, so a burst of someone else's load spreads over every query, not one.
    const times = new Map<string, number[]>(queries.map((q) => [q.name, []]));
    const resultRows = new Map<string, number>();
    for (let round = 0; round < runs; round++) {
      for (const q of queries) {
        const { ms, rows } = await timeQuery(sink, q.sql, bound.get(q.name)!);
        times.get(q.name)!.push(ms);
        resultRows.set(q.name, rows);
      }
    }

    const lines = [
      '### Query latency',
      '',
      `${counts.map((c) => `${Number(c.n).toLocaleString('en-US')} ${c.t}`).join(', ')} rows (seed ${SEED}, 30-day window, ` +
        `${users} users), ${reused ? 'reused from an earlier run of this generator' : `generated in ${genS.toFixed(1)} s`} by INSERT … SELECT FROM numbers(). ` +
        `${merged ? '**Every table merged by OPTIMIZE … FINAL before timing** (as background merges leave it minutes after a load). ' : 'Rollups as the load left them, background merges not waited for. '}` +
        `When timing started: ${state}. ` +
        `${only === undefined ? '' : `Only ${queries.map((q) => q.name).join(', ')}. `}Each query over the whole window, ` +
        `median of ${runs} runs after one untimed run, queries alternated within each round. ` +
        `Targets: raw < 500 ms${accessRows < 10_000_000 ? ' (stated for 10M rows; this run has fewer)' : ''}, rollup < 50 ms.`,
      '',
      '| query | form | median ms | min..max ms | result rows | target |',
      '|---|---|---|---|---|---|',
    ];
    let failures = 0;
    for (const q of queries) {
      const s = summarize(times.get(q.name)!);
      const limit = q.source === 'rollup' ? 50 : 500;
      const ok = s.median < limit;
      if (!ok) failures++;
      lines.push(`| ${q.name} | ${q.source} | ${s.median.toFixed(1)} | ${s.min.toFixed(1)}..${s.max.toFixed(1)} | ${resultRows.get(q.name)} | < ${limit} ms: ${pass(ok)} |`);
    }
    const all = queries.map((q) => median(times.get(q.name)!));
    lines.push('', `${queries.length} queries, ${failures} over target; slowest ${Math.max(...all).toFixed(1)} ms.`, '');
    return lines.join('\n');
  } finally {
    await sink.close();
    if (keptDir === undefined) fs.rmSync(dir, { recursive: true, force: true });
  }
};

/** The rollup tables' active parts and rows, and the merges running: what the rollup forms' times depend on. */
async function rollupState(sink: EmbeddedSink): Promise<string> {
  const [row] = await sink.query<{ parts: string | number; rows: string | number; merges: string | number }>(
    "SELECT count() AS parts, sum(rows) AS rows, (SELECT count() FROM system.merges) AS merges FROM system.parts WHERE active AND database = currentDatabase() AND engine IN ('AggregatingMergeTree', 'SummingMergeTree')",
  );
  return `rollup tables in ${row.parts} parts holding ${Number(row.rows).toLocaleString('en-US')} rows, ${row.merges} merges running`;
}

if (require.main === module) runStandalone('query latency', main, ['data-dir', 'merged', 'only', 'rows', 'runs']);
