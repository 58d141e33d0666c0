/**
 * Runs one bench script on its own: parses the flags, prints the markdown it returns, and adds it to
 * bench/RESULTS.md (unless --no-write). run-all.ts calls the same functions and writes one combined section.
 */
import * as path from 'node:path';
import { parseBenchArgs, type BenchArgs } from './bench-args';
import { prependResults } from './results-file';

export type BenchMain = (args: BenchArgs, log: (line: string) => void) => Promise<string>;

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** `flags`: the script's own flag names (bench-args.ts), so an unknown or mistyped one stops the run at once. */
export function runStandalone(title: string, main: BenchMain, flags: readonly string[] = []): void {
  let args: BenchArgs;
  try {
    args = parseBenchArgs(flags);
  } catch (error) {
    process.stderr.write(`${title}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const command = `node ${path.relative(process.cwd(), process.argv[1])} ${process.argv.slice(2).join(' ')}`.trim();
  main(args, log).then(
    (markdown) => {
      process.stdout.write(`${markdown}\n`);
      if (args.values.get('no-write') !== 'true') prependResults(title, command, markdown);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${title} failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
