/**
 * bench/RESULTS.md: each run adds a dated section at the top (newest first) with the machine, the command
 * and the figures, so the history shows whether a change helped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeMachine } from './machine-info';

const TITLE = '# Benchmark results';
const INTRO =
  'Newest first. Each section is one run of the command it names, on the machine it names. ' +
  'Figures are medians over alternated rounds with their spread; ratios are against a baseline measured in the same run.';

/** bench/RESULTS.md in the source tree, found from dist/bench/lib or bench/lib. */
export function resultsPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'bench', 'RESULTS.md');
    dir = path.dirname(dir);
  }
  return path.resolve('bench', 'RESULTS.md');
}

export function prependResults(title: string, command: string, body: string, file: string = resultsPath()): void {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const rest = existing.startsWith(TITLE) ? existing.slice(existing.indexOf('\n## ') + 1 || existing.length) : existing;
  const section = [
    `## ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} — ${title}`,
    '',
    `Machine: ${describeMachine()}`,
    '',
    `Command: \`${command}\``,
    '',
    body.trimEnd(),
    '',
    '',
  ].join('\n');
  const restBody = rest.startsWith('## ') ? rest : '';
  fs.writeFileSync(file, `${TITLE}\n\n${INTRO}\n\n${section}${restBody}`);
}
