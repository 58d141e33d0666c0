/**
 * What the SDK adds to one request in CPU instructions, not time: the http app runs under valgrind's callgrind
 * with and without `--require dist/sdk/register.js`, counters zeroed after a warm-up, then N sequential hello
 * requests (and the export of their spans) are counted. Instruction counts repeat within ~1% on a loaded machine,
 * where wall-clock and CPU-time benches do not.
 *
 *   node dist/bench/request-instructions.js [--requests N] [--warmup N] [--route /hello] [--split-export] [--register path/to/register.js] [--no-write]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { numberArg, type BenchArgs } from './lib/bench-args';
import { sleep } from './lib/child-process';
import { startNullSink, type NullSink } from './lib/otlp-null-sink';
import { runStandalone, type BenchMain } from './lib/script-main';

const ROOT = path.resolve(__dirname, '..', '..');
const REGISTER = require.resolve('otel-activity/register');
const APP = path.join(__dirname, 'apps', 'http-app.js');

function get(agent: http.Agent, port: number, route: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: route, agent }, (res) => {
      res.resume();
      res.once('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`GET ${route}: ${res.statusCode}`))));
    });
    req.once('error', reject);
  });
}

async function requests(agent: http.Agent, port: number, route: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await get(agent, port, route);
}

function callgrindControl(pid: number, flag: string): void {
  const result = spawnSync('callgrind_control', [flag, String(pid)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`callgrind_control ${flag} ${pid} failed: ${result.stderr || result.stdout}`);
}

/**
 * Instructions in the one dump we asked for, all threads and the main thread apart (--separate-threads writes
 * <base>.<n>-<thread>; thread 01 is the JS thread that serves requests, the others are V8's compiler and GC helpers).
 */
function dumpedInstructions(dir: string, outBase: string): { total: number; main: number } {
  const dumps = fs.readdirSync(dir).filter((f) => f.startsWith(`${outBase}.1-`));
  if (dumps.length === 0) throw new Error(`no callgrind dump ${outBase}.1-* in ${dir}`);
  let total = 0;
  let main = 0;
  for (const file of dumps) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const match = /^(?:summary|totals): (\d+)/m.exec(text);
    if (!match) throw new Error(`no summary line in ${file}`);
    total += Number(match[1]);
    if (file.endsWith('-01')) main = Number(match[1]);
  }
  return { total, main };
}

interface Run {
  readonly instructions: number;
  /** Of which on the main (JS) thread. */
  readonly mainThread: number;
  readonly dumpFile: string;
  readonly sinkRequests: number;
  /** Wall-clock time of the counted requests under valgrind (for the reader: how slow the run was). */
  readonly requestsMs: number;
}

/** bare: no preload; sdk: the SDK exporting OTLP; no-export: the SDK with OTEL_ACTIVITY_EXPORT=none (spans, no export). */
type Variant = 'bare' | 'sdk' | 'no-export';
const OUT_BASE: Record<Variant, string> = { bare: 'callgrind.without', sdk: 'callgrind.with', 'no-export': 'callgrind.noexport' };

async function measure(variant: Variant, register: string, sink: NullSink, route: string, warmup: number, count: number, outDir: string): Promise<Run> {
  const outBase = OUT_BASE[variant];
  for (const f of fs.readdirSync(outDir)) if (f.startsWith(`${outBase}.`)) fs.rmSync(path.join(outDir, f));
  const nodeArgs = [...(variant === 'bare' ? [] : ['--require', register]), APP];
  const app = await startUnderCallgrind(nodeArgs, path.join(outDir, `${outBase}.%p`), {
    NODE_OPTIONS: undefined,
    OTEL_SDK_DISABLED: undefined,
    OTEL_SERVICE_NAME: 'bench-app',
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
    // Its own empty disk buffer: batches an earlier run left under the shared default would be sent in the window.
    OTEL_ACTIVITY_BUFFER_DIR: path.join(outDir, `buffer-${outBase}`),
    OTEL_ACTIVITY_EXPORT: variant === 'no-export' ? 'none' : undefined,
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await requests(agent, app.port, route, warmup);
    // The warm-up's spans go out first (a batch each second), so the measured window exports only its own.
    await settle(sink);
    callgrindControl(app.child.pid!, '--zero');
    const sentBefore = sink.stats.requests;
    const started = Date.now();
    await requests(agent, app.port, route, count);
    const requestsMs = Date.now() - started;
    await settle(sink);
    callgrindControl(app.child.pid!, '--dump');
    const counted = dumpedInstructions(outDir, `${outBase}.${app.child.pid}`);
    return { instructions: counted.total, mainThread: counted.main, dumpFile: `${outBase}.${app.child.pid}`, sinkRequests: sink.stats.requests - sentBefore, requestsMs };
  } finally {
    agent.destroy();
    const exited = new Promise((resolve) => app.child.once('exit', resolve));
    app.child.kill('SIGKILL');
    await exited;
  }
}

/** Starts node under callgrind and waits for the app's "LISTENING <port>" (startChild runs node itself, not valgrind). */
function startUnderCallgrind(nodeArgs: string[], outFile: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const args = ['--tool=callgrind', '--smc-check=all-non-file', '--separate-threads=yes', `--callgrind-out-file=${outFile}`, process.execPath, ...nodeArgs];
  const child = spawn('valgrind', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no port within 300 s under valgrind:\n${out.slice(-2000)}`));
    }, 300_000);
    const onData = (chunk: Buffer): void => {
      out = (out + chunk.toString()).slice(-20_000);
      const match = /LISTENING (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`valgrind exited (${code}) before the app listened:\n${out.slice(-2000)}`));
    });
  });
}

/** Waits until the sink has seen no new OTLP request for 2.5 s (the export delay is 1 s). */
async function settle(sink: NullSink): Promise<void> {
  let last = sink.stats.requests;
  let quietSince = Date.now();
  for (;;) {
    await sleep(250);
    if (sink.stats.requests !== last) {
      last = sink.stats.requests;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= 2500) return;
  }
}

const main: BenchMain = async (args: BenchArgs, log) => {
  const count = numberArg(args, 'requests', 2000);
  const warmup = numberArg(args, 'warmup', 8000);
  const route = args.values.get('route') ?? '/hello';
  // Another build's register.js (e.g. an older commit's, for a before/after at the same settings).
  const register = path.resolve(args.values.get('register') ?? REGISTER);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'request-instructions-'));
  const sink = await startNullSink();
  try {
    log(`bare app: ${warmup} warm-up + ${count} counted requests to ${route} under callgrind…`);
    const bare = await measure('bare', register, sink, route, warmup, count, outDir);
    log(`with the SDK…`);
    const sdk = await measure('sdk', register, sink, route, warmup, count, outDir);
    let noExport: Run | undefined;
    if (args.values.get('split-export') === 'true') {
      log(`with the SDK, OTEL_ACTIVITY_EXPORT=none…`);
      noExport = await measure('no-export', register, sink, route, warmup, count, outDir);
    }
    const per = (n: number): string => String(Math.round(n / count));
    const row = (label: string, run: Run): string =>
      `| ${label} | ${run.instructions} | ${per(run.instructions)} | ${per(run.mainThread)} | ${per(run.instructions - run.mainThread)} |`;
    const added = (label: string, run: Run): string =>
      `| **${label}** | ${run.instructions - bare.instructions} | **${per(run.instructions - bare.instructions)}** | ` +
      `${per(run.mainThread - bare.mainThread)} | ${per(run.instructions - run.mainThread - (bare.instructions - bare.mainThread))} |`;
    const lines = [
      `callgrind (${spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).stdout.trim()}), node ${process.version}, ` +
        `${count} sequential keep-alive GET ${route} after ${warmup} warm-up requests, counters zeroed after the warm-up; ` +
        `the count includes every thread of the app and the export of the counted spans (${sdk.sinkRequests} OTLP requests); ` +
        `the counted requests took ${(bare.requestsMs / 1000).toFixed(1)} s and ${(sdk.requestsMs / 1000).toFixed(1)} s under valgrind.`,
      '',
      '| variant | instructions | per request | main thread | V8 helper threads (compiler, GC) |',
      '|---|---|---|---|---|',
      row('bare http app', bare),
      row(`with --require ${path.relative(ROOT, register)}`, sdk),
      ...(noExport === undefined ? [] : [row('with the SDK, OTEL_ACTIVITY_EXPORT=none', noExport)]),
      added('added by the SDK', sdk),
      ...(noExport === undefined
        ? []
        : [added('added by the SDK without export', noExport), `| of which the OTLP export (batching, encoding, POST) | | ${per(sdk.instructions - noExport.instructions)} | ${per(sdk.mainThread - noExport.mainThread)} | |`]),
      '',
      `Ratio bare/with: ${(bare.instructions / sdk.instructions).toFixed(3)} (main thread ${(bare.mainThread / sdk.mainThread).toFixed(3)}). ` +
        `Dumps kept in ${outDir} (callgrind_annotate ${path.join(outDir, sdk.dumpFile)}.1-01).`,
    ];
    return lines.join('\n');
  } finally {
    await sink.close();
  }
};

if (require.main === module) runStandalone('node dist/bench/request-instructions.js (instructions per request, callgrind)', main, ['register', 'requests', 'route', 'split-export', 'warmup']);
export { main as requestInstructions };
