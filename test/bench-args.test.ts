/** The bench scripts' flags: a mistyped or unknown flag stops the run, it is never silently ignored. */
import { describe, expect, it } from 'vitest';
import { numberArg, parseBenchArgs } from '../bench/lib/bench-args';

describe('bench flags', () => {
  it('parse the common flags and the script\'s own, inline or as the next argument', () => {
    const args = parseBenchArgs(['only', 'rows'], ['--full', '--only', 'overview,trends', '--rows=500', '--rounds', '2', '--no-write']);
    expect(args.full).toBe(true);
    expect(args.rounds).toBe(2);
    expect(args.values.get('only')).toBe('overview,trends');
    expect(numberArg(args, 'rows', 1)).toBe(500);
    expect(args.values.get('no-write')).toBe('true');
  });

  it('refuse a flag the script does not take, naming the ones it does', () => {
    expect(() => parseBenchArgs(['only'], ['--onyl', 'overview'])).toThrow(
      'unknown flag --onyl; this script takes --full, --rounds, --no-write, --only',
    );
    expect(() => parseBenchArgs([], ['overview'])).toThrow('unexpected argument "overview"');
  });

  it('refuse a repeat count that is not a positive whole number, and a number flag that is not a number', () => {
    expect(() => parseBenchArgs([], ['--rounds', 'three'])).toThrow('--rounds must be a positive whole number, got "three"');
    expect(() => parseBenchArgs([], ['--rounds', '0'])).toThrow('--rounds must be a positive whole number');
    expect(() => numberArg(parseBenchArgs(['rows'], ['--rows', '1e']), 'rows', 1)).toThrow('--rows must be a number, got "1e"');
  });

  it('throw when a script reads a flag it never declared, so the same typo in code fails too', () => {
    const args = parseBenchArgs(['rows'], []);
    expect(args.values.get('rows')).toBeUndefined();
    expect(() => args.values.get('rowz')).toThrow('bench script reads --rowz, which it does not declare');
  });
});
