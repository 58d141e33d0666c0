/**
 * Scale-out: one clickhouse-server (Debian's 18.16, compatible tables), and in alternated rounds (a) one
 * `otel-activity serve` receiving all N spans and (b) two services each receiving half, each sender talking to its
 * own service as a balancer hashing on the source would. Spans/s from the first request byte to the last row
 * visible in the server, and exact row checks per table: count() FINAL and count() both equal to what was sent.
 *
 *   node dist/bench/scale-out.js [--full] [--rounds N] [--spans N] [--batch N] [--senders N] [--pin] [--no-write]
 *
 * --pin puts service i on core i with taskset; clickhouse-server and this process are not pinned and share the cores.
 */
import * as os from 'node:os';
import { alternate, type Variant } from './lib/alternate';
import { numberArg, type BenchArgs } from './lib/bench-args';
import { clickhouseServerBinary, createClickHouseServer, type TestClickHouseServer } from './lib/clickhouse-server';
import { hasTaskset, readCpuSeconds, sleep } from './lib/child-process';
import { COMPATIBLE_TABLE_NAMES, compatibleSchemaDdl, countsSql, expectedRows, parseCounts, SERVER_PROFILE, type CompatibleTable } from './lib/compatible-tables';
import { CONTENT_TYPE, encodeSpans } from './lib/hand-made-span';
import { makeSpans } from './lib/otlp-payloads';
import { runStandalone, type BenchMain } from './lib/script-main';
import { serviceBuilt, startService, type ServiceChild } from './lib/service-child';
import { formatSummary, median, pairedRatios, summarize } from './lib/stats';

/**
 * Requests in flight in total, split evenly over the services: the same offered concurrency in both variants. Enough
 * to keep one service's main thread busy: with 8, each request waits for the insert its commit is in, and the senders
 * (not the service) set the rate, so a second service had nothing to add (ratio 0.97 with 1.34 of 2 cores busy).
 */
const DEFAULT_SENDERS = 32;
/** Spans each service gets before the timed part, so neither variant is timed with a cold JIT. */
const WARMUP_SPANS = 5_000;

interface RoundResult {
  readonly spansPerS: number;
  readonly retries: number;
  /** Tables whose count() FINAL or count() differ from what was sent, with both numbers; [] when exact. */
  readonly mismatches: string[];
  readonly loadAvg: number;
  /** CPU seconds per 100k spans in the timed part: the services together, and clickhouse-server. */
  readonly serviceCpu: number;
  readonly serverCpu: number;
}

/** Sends `payloads` to one service with `senders` requests in flight, retrying 429/503 and resets like an exporter. */
async function sendAll(service: ServiceChild, payloads: readonly Uint8Array[], senders: number): Promise<number> {
  let next = 0;
  let retries = 0;
  const worker = async (): Promise<void> => {
    while (next < payloads.length) {
      const body = payloads[next++];
      for (let attempt = 0; ; attempt++) {
        const res = await service.post('/v1/traces', body, CONTENT_TYPE.protobuf).catch((error: Error) => {
          if (attempt > 200) throw error;
          return undefined;
        });
        if (res?.status === 200) break;
        if (res && res.status !== 429 && res.status !== 503) throw new Error(`ingest answered ${res.status}: ${res.body.slice(0, 300)}`);
        if (attempt > 200) throw new Error(`still refused after ${attempt} attempts`);
        retries++;
        await sleep(Math.min(1000, Number(res?.retryAfter ?? 0.1) * 1000));
      }
    }
  };
  await Promise.all(Array.from({ length: senders }, worker));
  return retries;
}

/** Rows written so far, all tables: count() only, since FINAL every few ms would load the server it measures. */
async function rowsVisible(server: TestClickHouseServer, database: string): Promise<number> {
  const sum = COMPATIBLE_TABLE_NAMES.map((table) => `(SELECT count() FROM ${database}.${table})`).join(' + ');
  return Number((await server.query<{ n: string }>(`SELECT ${sum} AS n`))[0].n);
}

async function waitForRows(server: TestClickHouseServer, database: string, expected: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const n = await rowsVisible(server, database);
    if (n >= expected) return;
    if (Date.now() > until) throw new Error(`only ${n} of ${expected} rows visible after ${timeoutMs} ms`);
    await sleep(20);
  }
}

interface Payloads {
  readonly bodies: Uint8Array[];
  /** Rows each table gets once they are stored. */
  readonly rows: Record<CompatibleTable, number>;
}

function payloadsFor(run: number, count: number, batch: number): Payloads {
  const bodies: Uint8Array[] = [];
  const rows = expectedRows([]);
  for (let at = 0; at < count; at += batch) {
    const spans = makeSpans(run, at, Math.min(batch, count - at));
    bodies.push(encodeSpans(spans, 'protobuf'));
    const of = expectedRows(spans);
    for (const table of COMPATIBLE_TABLE_NAMES) rows[table] += of[table];
  }
  return { bodies, rows };
}

export const main: BenchMain = async (args: BenchArgs, log) => {
  const title = '### Scale-out: 1 vs 2 services on one clickhouse-server';
  if (!serviceBuilt()) return `${title}\n\nNot measured: the server package (exporter/dist) is not built.\n`;
  if (!clickhouseServerBinary()) return `${title}\n\nNot measured: clickhouse-server is not installed (test/ensure-system-packages.sh installs it).\n`;
  const rounds = args.rounds ?? (args.full ? 5 : 3);
  const spans = numberArg(args, 'spans', args.full ? 200_000 : 40_000);
  const batch = numberArg(args, 'batch', 1000);
  const senders = numberArg(args, 'senders', DEFAULT_SENDERS);
  const pin = args.values.get('pin') === 'true' && hasTaskset();

  const server = await createClickHouseServer({ profile: SERVER_PROFILE });
  await server.start();
  const [{ version }] = await server.query<{ version: string }>('SELECT version() AS version');
  let run = 0;

  const measure = async (serviceCount: number, round: number): Promise<RoundResult> => {
    const database = `scale_out_${round}_${serviceCount}`;
    for (const statement of compatibleSchemaDdl(database)) await server.query(statement);
    const env = {
      OTEL_ACTIVITY_CLICKHOUSE_URL: server.url,
      OTEL_ACTIVITY_CLICKHOUSE_USER: server.user,
      OTEL_ACTIVITY_CLICKHOUSE_PASSWORD: server.password,
      OTEL_ACTIVITY_CLICKHOUSE_DATABASE: database,
      // The user needs only INSERT and SELECT; 18.16 could not run the migrations anyway.
      OTEL_ACTIVITY_MIGRATE: 'false',
      // The alert rules' SQL needs a current ClickHouse and the real schema.
      OTEL_ACTIVITY_ALERT_INTERVAL_MS: '0',
    };
    const services = await Promise.all(Array.from({ length: serviceCount }, (_, i) => startService({ env, cpus: pin ? String(i % os.availableParallelism()) : undefined })));
    try {
      const share = spans / serviceCount;
      const sendersEach = Math.max(1, Math.round(senders / serviceCount));
      const warm = services.map(() => payloadsFor(++run, WARMUP_SPANS, batch));
      await Promise.all(services.map((service, i) => sendAll(service, warm[i].bodies, sendersEach)));
      const timed = services.map(() => payloadsFor(++run, share, batch));
      const expected = expectedRows([]);
      for (const table of COMPATIBLE_TABLE_NAMES) for (const sent of [...warm, ...timed]) expected[table] += sent.rows[table];
      const expectedTotal = COMPATIBLE_TABLE_NAMES.reduce((sum, table) => sum + expected[table], 0);
      const loadBefore = os.loadavg()[0];

      const cpu = () => ({
        services: services.reduce((sum, service) => sum + (readCpuSeconds(service.started.child.pid!) ?? Number.NaN), 0),
        server: readCpuSeconds(server.pid()!) ?? Number.NaN,
      });
      const cpuBefore = cpu();
      const start = process.hrtime.bigint();
      const retries = (await Promise.all(services.map((service, i) => sendAll(service, timed[i].bodies, sendersEach)))).reduce((a, b) => a + b, 0);
      await waitForRows(server, database, expectedTotal, 120_000);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const cpuAfter = cpu();
      const per100k = 100_000 / spans;

      // Exact: every span sent (warm-up included) stored once, none lost and none twice.
      const counts = parseCounts((await server.query<Record<string, string>>(countsSql(database)))[0]);
      const mismatches = COMPATIBLE_TABLE_NAMES.filter((t: CompatibleTable) => counts[t].rows !== expected[t] || counts[t].spans !== expected[t]).map(
        (t) => `${t}: count() ${counts[t].rows}, count() FINAL ${counts[t].spans}, sent ${expected[t]}`,
      );
      return {
        spansPerS: spans / seconds,
        retries,
        mismatches,
        loadAvg: (loadBefore + os.loadavg()[0]) / 2,
        serviceCpu: (cpuAfter.services - cpuBefore.services) * per100k,
        serverCpu: (cpuAfter.server - cpuBefore.server) * per100k,
      };
    } finally {
      await Promise.all(services.map((service) => service.stop()));
      await server.query(`DROP DATABASE ${database}`);
    }
  };

  try {
    const variants: Variant<RoundResult>[] = [
      { name: '1 service', run: (round) => measure(1, round) },
      { name: '2 services', run: (round) => measure(2, round) },
    ];
    const results = await alternate(variants, rounds, (name, round, r) =>
      log(`round ${round + 1} ${name}: ${Math.round(r.spansPerS)} spans/s, ${r.retries} retries, load ${r.loadAvg.toFixed(2)}, CPU s/100k spans services ${r.serviceCpu.toFixed(2)} server ${r.serverCpu.toFixed(2)}${r.mismatches.length ? `, MISMATCH ${r.mismatches.join('; ')}` : ''}`),
    );
    const one = results.get('1 service')!;
    const two = results.get('2 services')!;
    const exact = (runs: RoundResult[]) => (runs.every((r) => r.mismatches.length === 0) ? `exact in all ${runs.length} rounds` : runs.flatMap((r) => r.mismatches).join('; '));
    const ratios = summarize(pairedRatios(two.map((r) => r.spansPerS), one.map((r) => r.spansPerS)));
    const loads = summarize([...one, ...two].map((r) => r.loadAvg));
    const lines = [
      title,
      '',
      `clickhouse-server ${version} on loopback, ${COMPATIBLE_TABLE_NAMES.join(', ')} as ReplacingMergeTree ORDER BY span_id (bench/lib/compatible-tables.ts, not the real schema). ` +
        `${spans} spans per round (the otlp-payloads mix: access with ~7% external, ~3% auth), protobuf, ${batch} spans per request, ${senders} requests in flight in total ` +
        `split over the services, ${rounds} alternated rounds, each on a fresh database and fresh services warmed with ${WARMUP_SPANS} spans each. ` +
        `Timed from the first request byte to the last row visible (count() in the server). Services: default config with OTEL_ACTIVITY_MIGRATE=false and ` +
        `OTEL_ACTIVITY_ALERT_INTERVAL_MS=0; ${pin ? 'service i pinned to core i (taskset)' : 'not pinned'}; clickhouse-server and the load generator share the same ${os.availableParallelism()} cores.`,
      '',
      '| services | spans/s median (spread, min..max) | CPU s per 100k spans: services / clickhouse-server (medians) | cores busy with them (median) | 429/503 retries | rows: count() FINAL = count() = sent, per table |',
      '|---|---|---|---|---|---|',
      ...[one, two].map(
        (runs, i) =>
          `| ${i + 1} | ${formatSummary(summarize(runs.map((r) => r.spansPerS)))} | ${median(runs.map((r) => r.serviceCpu)).toFixed(2)} / ${median(runs.map((r) => r.serverCpu)).toFixed(2)} | ` +
          `${median(runs.map((r) => ((r.serviceCpu + r.serverCpu) * r.spansPerS) / 100_000)).toFixed(2)} of ${os.availableParallelism()} | ` +
          `${runs.reduce((s, r) => s + r.retries, 0)} | ${exact(runs)} |`,
      ),
      '',
      `2 services / 1 service, per round: ${formatSummary(ratios, 2)}. 1-minute load average during the rounds: ${formatSummary(loads, 2)}.`,
      '',
    ];
    return lines.join('\n');
  } finally {
    await server.dispose();
  }
};

if (require.main === module) runStandalone('scale-out: 1 vs 2 services on one clickhouse-server', main, ['batch', 'pin', 'senders', 'spans']);
