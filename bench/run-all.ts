/**
 * `npm run bench`: runs every bench script in sequence, each in its own process (chDB allows one data directory
 * per process), in quick mode unless --full is given, prints their figures and adds one dated section to
 * bench/RESULTS.md. Quick mode fits in 15 minutes on a 2-core machine.
 *
 *   node dist/bench/run-all.js [--full] [--only name,name] [--no-write]
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { parseBenchArgs } from './lib/bench-args';
import { prependResults } from './lib/results-file';

const SCRIPTS: ReadonlyArray<{ name: string; file: string; extra: string[] }> = [
  { name: 'request-overhead', file: 'request-overhead.js', extra: ['--profile'] },
  { name: 'otlp-encode', file: 'otlp-encode.js', extra: [] },
  { name: 'otlp-decode', file: 'otlp-decode.js', extra: [] },
  { name: 'ingest-throughput', file: 'ingest-throughput.js', extra: [] },
  { name: 'scale-out', file: 'scale-out.js', extra: [] },
  { name: 'query-latency', file: 'query-latency.js', extra: [] },
  { name: 'backpressure', file: 'backpressure.js', extra: [] },
];

function runScript(file: string, args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, file), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('exit', (code) => resolve({ code, stdout }));
  });
}

async function main(): Promise<void> {
  const args = parseBenchArgs(['only']);
  const only = args.values.get('only')?.split(',');
  const started = Date.now();
  const sections: string[] = [];
  let failed = 0;
  for (const script of SCRIPTS) {
    if (only && !only.includes(script.name)) continue;
    const scriptStart = Date.now();
    process.stderr.write(`\n== ${script.name} ==\n`);
    const { code, stdout } = await runScript(script.file, [...(args.full ? ['--full'] : []), ...script.extra, '--no-write']);
    const took = ((Date.now() - scriptStart) / 1000).toFixed(0);
    if (code !== 0) {
      failed++;
      sections.push(`### ${script.name}\n\nFailed (exit ${code}) after ${took} s; see the console output.\n`);
    } else {
      sections.push(`${stdout.trimEnd()}\n\n(${script.name} took ${took} s)\n`);
    }
  }
  const total = ((Date.now() - started) / 1000).toFixed(0);
  const body = `${sections.join('\n')}\nTotal ${total} s.`;
  const command = `npm run bench${args.full ? ' -- --full' : ''}`;
  if (args.values.get('no-write') !== 'true') prependResults(`npm run bench (${args.full ? 'full' : 'quick'})`, command, body);
  process.stderr.write(`\nbench: ${SCRIPTS.length - failed} scripts ran, ${failed} failed, ${total} s${args.values.get('no-write') === 'true' ? '' : '; added to bench/RESULTS.md'}\n`);
  process.exit(failed ? 1 : 0);
}

void main();
