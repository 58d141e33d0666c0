/** The flags every bench script takes: --full for the long run, --rounds N to override the repeat count. */

export interface BenchArgs {
  readonly full: boolean;
  readonly rounds?: number;
  /** Any `--name value` pairs, for script-specific knobs. */
  readonly values: ReadonlyMap<string, string>;
}

export function parseBenchArgs(argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const values = new Map<string, string>();
  let full = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--full') full = true;
    else if (arg.startsWith('--')) {
      const [key, inline] = arg.slice(2).split('=', 2);
      if (inline !== undefined) values.set(key, inline);
      else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.set(key, argv[++i]);
      else values.set(key, 'true');
    }
  }
  const rounds = values.has('rounds') ? Number(values.get('rounds')) : undefined;
  return { full, rounds, values };
}

export function numberArg(args: BenchArgs, name: string, fallback: number): number {
  const raw = args.values.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return value;
}
