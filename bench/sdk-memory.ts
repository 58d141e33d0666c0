/**
 * What the SDK adds to an app's memory: the bench node:http app driven at a fixed request rate (autocannon
 * overallRate, 5000 req/s by default) bare and under `--require otel-activity/register` exporting OTLP to a null sink,
 * alternated rounds, a fresh app per run pinned to core 0 (load generator and sink on core 1). RSS is read from /proc
 * every 250 ms: steady = the median of the samples after warm-up, peak = VmHWM at the end of the run. Both variants
 * run the app's memory probe (bench/apps/memory-probe.ts), which splits the difference into JS heap, buffers and the rest.
 * Two passes: V8's default flags, then both variants with the same fixed young generation (--semi-space MiB, 0 skips
 * it). V8 grows the young generation by doubling each time the bytes that survived scavenges since the last growth
 * reach its capacity, up to 32 MiB on Node 20 and 128 MiB on Node 24, and shrinks it again after a while: with default
 * flags a run of a few seconds compares two apps at different points of that schedule. With the young generation the
 * same size in both, the difference is what the SDK keeps.
 *
 *   node dist/bench/sdk-memory.js [--full] [--rounds N] [--duration S] [--warmup S] [--rate R] [--connections N] [--semi-space MiB] [--no-write]
 */
import autocannon from 'autocannon';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { alternate, type Variant } from './lib/alternate';
import { numberArg, type BenchArgs } from './lib/bench-args';
import { hasTaskset, pinSelf, unpinSelf, readRss, startChild } from './lib/child-process';
import { startNullSink, type NullSink } from './lib/otlp-null-sink';
import { runStandalone, type BenchMain } from './lib/script-main';
import { formatSummary, median, pairedRatios, pass, summarize } from './lib/stats';
import { MEMORY_PROBE_PREFIX, type MemoryProbeLine } from './apps/memory-probe';

const ROOT = path.resolve(__dirname, '..', '..');
const REGISTER = require.resolve('otel-activity/register');
const APP = path.join(__dirname, 'apps', 'http-app.js');
const ROUTE = '/hello';
const TARGET_MB = 15;
const SAMPLE_MS = 250;
const MIB = 1024 * 1024;

type Mode = 'bare' | 'sdk';
const MODE_LABEL: Record<Mode, string> = { bare: 'bare app', sdk: 'otel-activity/register, OTLP to a null sink' };

interface RunFigures {
  readonly reqPerS: number;
  readonly errors: number;
  /** Median VmRSS after warm-up, MiB. */
  readonly steadyMiB: number;
  /** VmHWM at the end, MiB. */
  readonly peakMiB: number;
  /** Medians of the app's probe after warm-up, MiB. */
  readonly heapUsedMiB: number;
  readonly heapTotalMiB: number;
  readonly externalMiB: number;
  readonly arrayBuffersMiB: number;
  readonly spacesMiB: Readonly<Record<string, number>>;
  /** What V8 holds per space (space_size), medians, MiB. */
  readonly heldMiB: Readonly<Record<string, number>>;
  readonly spansExportedRequests: number;
}

interface Settings {
  readonly rounds: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly rate: number;
  readonly connections: number;
  /** V8 flags given to both variants' node. */
  readonly v8Flags: readonly string[];
}

function modeStart(mode: Mode, sink: NullSink): { nodeArgs: string[]; env: NodeJS.ProcessEnv } {
  const clean: NodeJS.ProcessEnv = { OTEL_SDK_DISABLED: undefined, NODE_OPTIONS: undefined, OTEL_SERVICE_NAME: 'bench-app', BENCH_MEMORY_PROBE: '1' };
  if (mode === 'bare') return { nodeArgs: [], env: clean };
  return { nodeArgs: ['--require', REGISTER], env: { ...clean, OTEL_ACTIVITY_EXPORT: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: sink.url } };
}

function medianOf(lines: readonly MemoryProbeLine[], pick: (line: MemoryProbeLine) => number): number {
  return median(lines.map(pick)) / MIB;
}

async function measure(mode: Mode, sink: NullSink, settings: Settings): Promise<RunFigures> {
  const { nodeArgs, env } = modeStart(mode, sink);
  const child = await startChild({ name: `http-app ${mode}`, nodeArgs: [...settings.v8Flags, ...nodeArgs, APP], env, cpus: '0', cwd: ROOT });
  const pid = child.child.pid!;
  const startedAt = Date.now();
  const steadyFrom = startedAt + settings.warmupS * 1000;
  const rss: number[] = [];
  const probe: MemoryProbeLine[] = [];
  let pendingText = '';
  child.child.stdout!.on('data', (chunk: Buffer) => {
    pendingText += chunk.toString();
    const lines = pendingText.split('\n');
    pendingText = lines.pop() ?? '';
    if (Date.now() < steadyFrom) return;
    for (const line of lines) if (line.startsWith(MEMORY_PROBE_PREFIX)) probe.push(JSON.parse(line.slice(MEMORY_PROBE_PREFIX.length)) as MemoryProbeLine);
  });
  const timer = setInterval(() => {
    const now = readRss(pid);
    if (now && Date.now() >= steadyFrom) rss.push(now.rssMiB);
  }, SAMPLE_MS);
  const sinkBefore = sink.stats.requests;
  try {
    const result = await autocannon({
      url: `http://127.0.0.1:${child.port}${ROUTE}`,
      connections: settings.connections,
      overallRate: settings.rate,
      duration: settings.warmupS + settings.durationS,
    });
    const end = readRss(pid);
    // Per heap space, the median over the probe's lines of what each line records for it.
    const perSpace = (pick: (line: MemoryProbeLine) => Readonly<Record<string, number>>): Record<string, number> =>
      Object.fromEntries(Object.keys(probe[0] ? pick(probe[0]) : {}).map((name) => [name, medianOf(probe, (line) => pick(line)[name] ?? 0)]));
    return {
      reqPerS: result.requests.total / (settings.warmupS + settings.durationS),
      errors: result.errors + result.timeouts + result.non2xx,
      steadyMiB: median(rss),
      peakMiB: end?.peakMiB ?? Number.NaN,
      heapUsedMiB: medianOf(probe, (line) => line.heapUsed),
      heapTotalMiB: medianOf(probe, (line) => line.heapTotal),
      externalMiB: medianOf(probe, (line) => line.external),
      arrayBuffersMiB: medianOf(probe, (line) => line.arrayBuffers),
      spacesMiB: perSpace((line) => line.spaces),
      heldMiB: perSpace((line) => line.held),
      spansExportedRequests: sink.stats.requests - sinkBefore,
    };
  } finally {
    clearInterval(timer);
    await child.kill();
  }
}

function differences(sdk: readonly RunFigures[], bare: readonly RunFigures[], pick: (r: RunFigures) => number): number[] {
  const n = Math.min(sdk.length, bare.length);
  return Array.from({ length: n }, (_, i) => pick(sdk[i]) - pick(bare[i]));
}

function fmt(n: number, digits = 1): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/** One pass: the alternated rounds of both variants under settings.v8Flags, as a titled table and its verdict. */
async function measurePass(title: string, sink: NullSink, settings: Settings, pinned: boolean, log: (line: string) => void): Promise<string[]> {
  const modes: Mode[] = ['bare', 'sdk'];
  const variants: Variant<RunFigures>[] = modes.map((mode) => ({ name: mode, run: () => measure(mode, sink, settings) }));
  const results = await alternate(variants, settings.rounds, (mode, round, r) =>
    log(`${title}, round ${round + 1} ${mode}: ${r.reqPerS.toFixed(0)} req/s, RSS steady ${fmt(r.steadyMiB)} MiB peak ${fmt(r.peakMiB)} MiB, heap used ${fmt(r.heapUsedMiB)} MiB, external ${fmt(r.externalMiB)} MiB`),
  );
  const bare = results.get('bare')!;
  const sdk = results.get('sdk')!;
  const lines = [
    `#### ${title}`,
    '',
    `The bench node:http app (GET ${ROUTE}) at ${settings.rate} req/s (autocannon overallRate, ${settings.connections} connections) for ` +
      `${settings.warmupS} s warm-up + ${settings.durationS} s measured, ${settings.rounds} alternated rounds, a fresh app per run` +
      (settings.v8Flags.length ? `, both started with \`${settings.v8Flags.join(' ')}\`. ` : '. ') +
      (pinned ? 'App pinned to core 0, load generator and null OTLP sink to core 1 (taskset). ' : 'taskset not available: not pinned. ') +
      `RSS from /proc every ${SAMPLE_MS} ms; steady = median after warm-up; peak = VmHWM at the end. Heap and buffer figures are ` +
      'the app\'s own process.memoryUsage() once a second (medians after warm-up). Load average at the end: ' +
      `${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.`,
    '',
    '| variant | req/s achieved | errors | steady RSS MiB | peak RSS MiB | heap used MiB | heap total MiB | external MiB | arrayBuffers MiB | OTLP requests to the sink |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const mode of modes) {
    const runs = results.get(mode)!;
    const s = (pick: (r: RunFigures) => number) => formatSummary(summarize(runs.map(pick)), 1);
    lines.push(
      `| ${MODE_LABEL[mode]} | ${formatSummary(summarize(runs.map((r) => r.reqPerS)))} | ${runs.reduce((a, r) => a + r.errors, 0)} | ${s((r) => r.steadyMiB)} | ` +
        `${s((r) => r.peakMiB)} | ${s((r) => r.heapUsedMiB)} | ${s((r) => r.heapTotalMiB)} | ${s((r) => r.externalMiB)} | ${s((r) => r.arrayBuffersMiB)} | ` +
        `${runs.reduce((a, r) => a + r.spansExportedRequests, 0)} |`,
    );
  }
  const steady = summarize(differences(sdk, bare, (r) => r.steadyMiB));
  const peak = summarize(differences(sdk, bare, (r) => r.peakMiB));
  const heapUsed = summarize(differences(sdk, bare, (r) => r.heapUsedMiB));
  const heapTotal = summarize(differences(sdk, bare, (r) => r.heapTotalMiB));
  const external = summarize(differences(sdk, bare, (r) => r.externalMiB));
  const rateRatio = median(pairedRatios(sdk.map((r) => r.reqPerS), bare.map((r) => r.reqPerS)));
  const toMB = (mib: number) => (mib * MIB) / 1e6;
  lines.push(
    '',
    '| SDK minus bare, paired per round | MiB, median (spread) |',
    '|---|---|',
    `| steady RSS | ${formatSummary(steady, 1)} |`,
    `| peak RSS (VmHWM) | ${formatSummary(peak, 1)} |`,
    `| JS heap used | ${formatSummary(heapUsed, 1)} |`,
    `| JS heap total (what V8 holds from the OS) | ${formatSummary(heapTotal, 1)} |`,
    `| buffers outside the heap (external) | ${formatSummary(external, 1)} |`,
    `| the rest of steady RSS (code, native, stacks: RSS − heap total − external) | ${fmt(steady.median - heapTotal.median - external.median)} |`,
  );
  // One line per figure: the spaces whose paired SDK − bare median moved by 0.05 MiB or more, largest first.
  const bySpace = (label: string, pick: (r: RunFigures) => Readonly<Record<string, number>>): void => {
    const diffs = Object.keys(sdk[0] ? pick(sdk[0]) : {})
      .map((name) => ({ name, diff: median(differences(sdk, bare, (r) => pick(r)[name] ?? 0)) }))
      .filter((s) => Math.abs(s.diff) >= 0.05)
      .sort((a, b) => b.diff - a.diff);
    if (diffs.length) lines.push('', `${label}, SDK minus bare (MiB): ${diffs.map((s) => `${s.name} ${fmt(s.diff)}`).join(', ')}.`);
  };
  bySpace('Heap used by space', (r) => r.spacesMiB);
  bySpace('Heap held by space (what heap total adds up)', (r) => r.heldMiB);
  lines.push(
    '',
    `${title}: SDK adds ${fmt(toMB(steady.median))} MB steady RSS (${fmt(steady.median)} MiB) and ${fmt(toMB(peak.median))} MB peak at ${settings.rate} req/s ` +
      `(achieved ratio ${rateRatio.toFixed(2)} of bare); target < ${TARGET_MB} MB: steady ${pass(toMB(steady.median) < TARGET_MB)}, peak ${pass(toMB(peak.median) < TARGET_MB)}.`,
    '',
  );
  return lines;
}

export const main: BenchMain = async (args: BenchArgs, log) => {
  if (!fs.existsSync(REGISTER)) return `### SDK memory\n\nNot measured: ${path.relative(ROOT, REGISTER)} is not built.\n`;
  const settings: Settings = {
    rounds: args.rounds ?? (args.full ? 5 : 3),
    durationS: numberArg(args, 'duration', 20),
    warmupS: numberArg(args, 'warmup', 5),
    rate: numberArg(args, 'rate', 5000),
    connections: numberArg(args, 'connections', 10),
    v8Flags: [],
  };
  const semiSpaceMiB = numberArg(args, 'semi-space', 16);
  const pinned = pinSelf('1');
  const sink = await startNullSink();
  try {
    const lines = ['### SDK memory', ''];
    lines.push(...(await measurePass('V8 defaults', sink, settings, pinned, log)));
    if (semiSpaceMiB > 0) {
      const fixed = { ...settings, v8Flags: [`--min-semi-space-size=${semiSpaceMiB}`, `--max-semi-space-size=${semiSpaceMiB}`] };
      lines.push(...(await measurePass(`Young generation fixed at ${semiSpaceMiB} MiB semi-spaces in both`, sink, fixed, pinned, log)));
    }
    if (!hasTaskset()) lines.push('Note: without taskset the app and the load generator share both cores.', '');
    return lines.join('\n');
  } finally {
    await sink.close();
    unpinSelf();
  }
};

if (require.main === module) runStandalone('sdk memory', main, ['connections', 'duration', 'rate', 'semi-space', 'warmup']);
