/**
 * The flags of a bench script: --full for the long run, --rounds N to override the repeat count, --no-write to keep
 * bench/RESULTS.md as it is, and the script's own `--name value` knobs, which it names so a mistyped flag stops the
 * run instead of being ignored (a silent `--onyl` once timed every query).
 */

const COMMON_FLAGS = ['full', 'rounds', 'no-write'] as const;

export interface BenchArgs {
  readonly full: boolean;
  readonly rounds?: number;
  /** `--name value` pairs; reading a name the script did not declare throws, as passing one does. */
  readonly values: ReadonlyMap<string, string>;
}

/** A map that refuses to answer for a flag its script never declared: the same typo in code fails as on the command line. */
class DeclaredFlags extends Map<string, string> {
  constructor(private readonly declared: ReadonlySet<string>) {
    super();
  }

  override get(key: string): string | undefined {
    this.assertDeclared(key);
    return super.get(key);
  }

  override has(key: string): boolean {
    this.assertDeclared(key);
    return super.has(key);
  }

  private assertDeclared(key: string): void {
    if (!this.declared.has(key)) throw new Error(`bench script reads --${key}, which it does not declare`);
  }
}

/** `flags`: the script's own flag names, without the leading dashes; --full, --rounds and --no-write are always taken. */
export function parseBenchArgs(flags: readonly string[], argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const declared = new Set<string>([...COMMON_FLAGS, ...flags]);
  const values = new DeclaredFlags(declared);
  let full = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}": flags are --name or --name value`);
    const [key, inline] = arg.slice(2).split('=', 2);
    if (!declared.has(key)) {
      throw new Error(`unknown flag --${key}; this script takes ${[...declared].map((f) => `--${f}`).join(', ')}`);
    }
    if (key === 'full') full = true;
    else if (inline !== undefined) values.set(key, inline);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.set(key, argv[++i]);
    else values.set(key, 'true');
  }
  const rounds = values.has('rounds') ? Number(values.get('rounds')) : undefined;
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) {
    throw new Error(`--rounds must be a positive whole number, got "${values.get('rounds')}"`);
  }
  return { full, rounds, values };
}

export function numberArg(args: BenchArgs, name: string, fallback: number): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return value;
}
