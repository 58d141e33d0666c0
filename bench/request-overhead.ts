/**
 * What tracing costs a request: the same app (node:http and express; a hello-world route and a ~1 ms / 10 KB
 * "realistic" route) under (a) no instrumentation, (e) context propagation alone (the floor for any in-process
 * tracer on Node 20), (b) stock OpenTelemetry auto-instrumentation exporting OTLP, (c) otel-activity exporting
 * OTLP, (d) otel-activity in-process to chDB. Rounds alternate the variants; each run is a fresh app process
 * pinned to core 0 while autocannon runs here on core 1. Ratios are paired per round. Besides req/s, each run
 * reports the app's CPU time per request (all its threads, from /proc): steadier than req/s on a noisy machine.
 *
 *   node dist/bench/request-overhead.js [--full] [--rounds N] [--duration S] [--connections N] [--profile | --profile-only] [--no-write]
 */
import autocannon from 'autocannon';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { alternate, type Variant } from './lib/alternate';
import { numberArg, type BenchArgs } from './lib/bench-args';
import { hasTaskset, pinSelf, unpinSelf, readCpuSeconds, sleep, startChild, type StartedChild } from './lib/child-process';
import { selfTimes, sharesByOrigin } from './lib/cpu-profile';
import { startNullSink, type NullSink } from './lib/otlp-null-sink';
import { runStandalone, type BenchMain } from './lib/script-main';
import { formatSummary, median, pairedRatios, pass, summarize } from './lib/stats';

const ROOT = path.resolve(__dirname, '..', '..');
const REGISTER = require.resolve('otel-activity/register');
const EMBEDDED_SINK = require.resolve('otel-activity-server/internal/exporter/sinks/embedded-sink');
const CONTEXT_FLOOR = path.join(__dirname, 'apps', 'context-floor.js');
const APPS = {
  http: path.join(__dirname, 'apps', 'http-app.js'),
  express: path.join(__dirname, 'apps', 'express-app.js'),
} as const;
type AppName = keyof typeof APPS;
const ROUTES = { hello: '/hello', realistic: '/api/items/42' } as const;
type RouteName = keyof typeof ROUTES;

type Mode = 'a-none' | 'e-context-floor' | 'b-stock-otel' | 'c-activity-otlp' | 'd-activity-inprocess';
const MODE_LABEL: Record<Mode, string> = {
  'a-none': '(a) no instrumentation',
  'e-context-floor': '(e) context propagation only, no spans (the floor)',
  'b-stock-otel': '(b) stock OTel auto-instrumentations, OTLP',
  'c-activity-otlp': '(c) otel-activity, OTLP',
  'd-activity-inprocess': '(d) otel-activity, in-process chDB',
};

interface RunFigures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  /** App CPU (user + system, all threads) per request served, in µs; NaN when /proc is unavailable. */
  readonly cpuUs: number;
}
type RoundResult = Record<RouteName, RunFigures>;

interface Settings {
  readonly rounds: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
}

function modeStart(mode: Mode, sink: NullSink, dataDirs: string[]): { nodeArgs: string[]; env: NodeJS.ProcessEnv } {
  // Each variant sees only its own settings: no OTEL_* leaks from the bench's environment into another mode.
  const clean: NodeJS.ProcessEnv = { OTEL_SDK_DISABLED: undefined, NODE_OPTIONS: undefined, OTEL_SERVICE_NAME: 'bench-app' };
  switch (mode) {
    case 'a-none':
      return { nodeArgs: [], env: clean };
    case 'e-context-floor':
      return { nodeArgs: ['--require', CONTEXT_FLOOR], env: clean };
    case 'b-stock-otel':
      return {
        nodeArgs: ['--require', require.resolve('@opentelemetry/auto-instrumentations-node/register')],
        env: {
          ...clean,
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          // The default 'all' includes the cloud detectors, which call metadata addresses off this machine
          // (and stall start-up): keep the stock setup otherwise, but local detectors only.
          OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
        },
      };
    case 'c-activity-otlp':
      return { nodeArgs: ['--require', REGISTER], env: { ...clean, OTEL_ACTIVITY_EXPORT: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } };
    case 'd-activity-inprocess': {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-inprocess-'));
      dataDirs.push(dataDir);
      return {
        nodeArgs: ['--require', REGISTER],
        env: { ...clean, OTEL_ACTIVITY_EXPORT: 'inprocess', OTEL_ACTIVITY_DATA_DIR: path.join(dataDir, 'chdb') },
      };
    }
  }
}

async function load(url: string, seconds: number, connections: number, pid?: number): Promise<RunFigures> {
  const cpuBefore = pid === undefined ? undefined : readCpuSeconds(pid);
  const result = await autocannon({ url, connections, duration: seconds, pipelining: 1 });
  const cpuAfter = pid === undefined ? undefined : readCpuSeconds(pid);
  const cpuUs = cpuBefore === undefined || cpuAfter === undefined || result.requests.total === 0
    ? Number.NaN
    : ((cpuAfter - cpuBefore) * 1e6) / result.requests.total;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuUs,
  };
}

async function measureApp(app: AppName, mode: Mode, sink: NullSink, settings: Settings, dataDirs: string[]): Promise<RoundResult> {
  const { nodeArgs, env } = modeStart(mode, sink, dataDirs);
  const child = await startChild({ name: `${app} ${mode}`, nodeArgs: [...nodeArgs, APPS[app]], env, cpus: '0', cwd: ROOT });
  try {
    const out = {} as RoundResult;
    for (const route of Object.keys(ROUTES) as RouteName[]) {
      const url = `http://127.0.0.1:${child.port}${ROUTES[route]}`;
      await load(url, settings.warmupS, settings.connections); // JIT and connection warm-up, not counted
      out[route] = await load(url, settings.durationS, settings.connections, child.child.pid);
    }
    return out;
  } finally {
    await child.kill();
  }
}

function availableModes(): { modes: Mode[]; missing: string[] } {
  const modes: Mode[] = ['a-none', 'e-context-floor', 'b-stock-otel'];
  const missing: string[] = [];
  if (fs.existsSync(REGISTER)) modes.push('c-activity-otlp');
  else missing.push(`(c) and (d): ${path.relative(ROOT, REGISTER)} not built`);
  if (fs.existsSync(REGISTER) && fs.existsSync(EMBEDDED_SINK)) modes.push('d-activity-inprocess');
  else if (fs.existsSync(REGISTER)) missing.push(`(d): ${path.relative(ROOT, EMBEDDED_SINK)} not built`);
  return { modes, missing };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

function reportApp(app: AppName, modes: Mode[], results: Map<string, RoundResult[]>, sinkRequests: Map<Mode, number>): string[] {
  const lines: string[] = [];
  const base = results.get('a-none')!;
  for (const route of Object.keys(ROUTES) as RouteName[]) {
    lines.push(`#### ${app} app, ${route} route (GET ${ROUTES[route]})`, '');
    lines.push('| variant | req/s median (spread) | ratio to (a) (paired, spread) | CPU µs/req | CPU ratio (a)/x | p50 ms | p99 ms | added p99 ms | errors | target |');
    lines.push('|---|---|---|---|---|---|---|---|---|---|');
    const baseRps = base.map((r) => r[route].rps);
    const baseP99 = base.map((r) => r[route].p99);
    const baseCpu = base.map((r) => r[route].cpuUs);
    for (const mode of modes) {
      const runs = results.get(mode)!;
      const rps = runs.map((r) => r[route].rps);
      const ratio = summarize(pairedRatios(rps, baseRps));
      const addedP99 = median(runs.map((r, i) => r[route].p99 - baseP99[i]));
      const errors = runs.reduce((sum, r) => sum + r[route].errors, 0);
      const cpu = runs.map((r) => r[route].cpuUs);
      // Paired per round: (a)'s CPU per request over this variant's, the throughput ratio a CPU-bound app would see.
      const cpuRatio = median(pairedRatios(baseCpu, cpu));
      let target = '';
      if (mode === 'c-activity-otlp') {
        const want = route === 'hello' ? 0.85 : 0.97;
        target = `ratio ≥ ${want}: ${pass(ratio.median >= want)}; added p99 < 1 ms: ${pass(addedP99 < 1)}`;
        const stock = results.get('b-stock-otel');
        if (stock) {
          const vsStock = median(pairedRatios(rps, stock.map((r) => r[route].rps)));
          target += `; ${vsStock.toFixed(2)}× (b): ${pass(vsStock > 1)}`;
        }
      }
      if (mode === 'b-stock-otel' && route === 'hello') target = 'baseline to beat';
      lines.push(
        `| ${MODE_LABEL[mode]} | ${formatSummary(summarize(rps))} | ${mode === 'a-none' ? '1' : formatSummary(ratio, 3)} | ` +
          `${fmt(median(cpu), 1)} | ${mode === 'a-none' ? '1' : fmt(cpuRatio, 3)} | ` +
          `${fmt(median(runs.map((r) => r[route].p50)), 1)} | ${fmt(median(runs.map((r) => r[route].p99)), 1)} | ` +
          `${mode === 'a-none' ? '0' : fmt(addedP99, 1)} | ${errors} | ${target} |`,
      );
    }
    lines.push('');
  }
  const exported = modes
    .filter((m) => sinkRequests.has(m))
    .map((m) => `${MODE_LABEL[m]}: ${sinkRequests.get(m)} OTLP requests`)
    .join('; ');
  if (exported) lines.push(`Null sink received (${app}): ${exported}.`, '');
  return lines;
}

/** One profiled run of (c) on the http app, hello route; returns markdown on the top self-time frames. */
async function profileActivity(sink: NullSink, settings: Settings, log: (line: string) => void): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cpuprof-'));
  const { nodeArgs, env } = modeStart('c-activity-otlp', sink, []);
  let child: StartedChild | undefined;
  try {
    child = await startChild({
      name: 'profile (c)',
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...nodeArgs, APPS.http],
      env,
      cpus: '0',
      cwd: ROOT,
    });
    const url = `http://127.0.0.1:${child.port}${ROUTES.hello}`;
    await load(url, settings.warmupS, settings.connections);
    const figures = await load(url, Math.max(settings.durationS, 4), settings.connections);
    child.child.kill('SIGUSR2'); // the app exits normally on SIGUSR2, so V8 writes the profile
    await new Promise<void>((resolve) => child!.child.once('exit', () => resolve()));
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) return ['(no .cpuprofile written)'];
    const kept = path.join(os.tmpdir(), `bench-request-overhead-c-${Date.now()}.cpuprofile`);
    fs.copyFileSync(path.join(dir, file), kept);
    log(`profile written to ${kept}`);
    const { totalMs, frames } = selfTimes(kept);
    const shares = sharesByOrigin(frames);
    const lines = [
      `#### CPU profile of (c), http app, hello route (${fmt(figures.rps)} req/s while profiled; ${fmt(totalMs)} ms sampled)`,
      '',
      'Self time by origin: ' +
        Object.entries(shares)
          .sort((x, y) => y[1] - x[1])
          .map(([origin, share]) => `${origin} ${(share * 100).toFixed(1)}%`)
          .join(', '),
      '',
      '| self % | origin | frame |',
      '|---|---|---|',
    ];
    const interesting = frames.filter((f) => f.origin === 'ours' || f.origin === 'otel').slice(0, 15);
    for (const f of interesting) lines.push(`| ${(f.share * 100).toFixed(2)} | ${f.origin} | \`${f.frame}\` |`);
    lines.push('', 'Top frames overall:', '');
    for (const f of frames.slice(0, 8)) lines.push(`- ${(f.share * 100).toFixed(2)}% ${f.origin} \`${f.frame}\``);
    lines.push('');
    return lines;
  } finally {
    await child?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export const main: BenchMain = async (args: BenchArgs, log) => {
  const settings: Settings = {
    rounds: args.rounds ?? (args.full ? 6 : 3),
    durationS: numberArg(args, 'duration', args.full ? 10 : 3),
    warmupS: args.full ? 2 : 1,
    connections: numberArg(args, 'connections', 10),
  };
  const pinned = pinSelf('1');
  const { modes, missing } = availableModes();
  const sink = await startNullSink();
  const dataDirs: string[] = [];
  const lines: string[] = [
    '### Request overhead',
    '',
    `autocannon ${settings.connections} connections, ${settings.durationS} s per run after ${settings.warmupS} s warm-up, ` +
      `${settings.rounds} alternated rounds (a e b c d …), a fresh app process per run. ` +
      (pinned ? 'App pinned to core 0, load generator and null OTLP sink to core 1 (taskset).' : 'taskset not available: not pinned.') +
      ' Ratios are medians of per-round ratios; spread is ± half the min..max range.',
    '',
  ];
  if (missing.length) lines.push(`Not measured: ${missing.join('; ')}.`, '');
  try {
    const profileOnly = args.values.get('profile-only') === 'true';
    for (const app of profileOnly ? [] : (Object.keys(APPS) as AppName[])) {
      const sinkRequests = new Map<Mode, number>();
      const variants: Variant<RoundResult>[] = modes.map((mode) => ({
        name: mode,
        run: async () => {
          const before = sink.stats.requests;
          const result = await measureApp(app, mode, sink, settings, dataDirs);
          // Only a's and d's counts stay 0; a non-zero count for b and c shows spans left the app.
          sinkRequests.set(mode, (sinkRequests.get(mode) ?? 0) + sink.stats.requests - before);
          return result;
        },
      }));
      const results = await alternate(variants, settings.rounds, (mode, round, r) =>
        log(`${app} round ${round + 1} ${mode}: hello ${fmt(r.hello.rps)} req/s ${fmt(r.hello.cpuUs, 1)} µs CPU/req p99 ${r.hello.p99} ms; realistic ${fmt(r.realistic.rps)} req/s ${fmt(r.realistic.cpuUs, 1)} µs CPU/req p99 ${r.realistic.p99} ms`),
      );
      lines.push(...reportApp(app, modes, results, sinkRequests));
    }
    if ((profileOnly || args.values.get('profile') === 'true') && modes.includes('c-activity-otlp')) {
      lines.push(...(await profileActivity(sink, settings, log)));
    }
  } finally {
    await sink.close();
    unpinSelf();
    for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
  }
  if (!hasTaskset()) lines.push('Note: without taskset the app and the load generator share both cores; ratios are less reliable.', '');
  await sleep(0);
  return lines.join('\n');
};

if (require.main === module) runStandalone('request overhead', main, ['connections', 'duration', 'profile', 'profile-only']);
