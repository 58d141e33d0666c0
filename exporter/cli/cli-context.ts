/**
 * What every command needs: the loaded config (env, OTEL_ACTIVITY_CONFIG file) and a Sink opened for the duration of
 * one action and closed afterwards, so the chDB directory lock is held no longer than the command runs.
 */
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../../sdk/config/config-loader';
import type { ActivityConfig } from '../../sdk/config/config-types';
import type { Sink } from '../sinks/sink';
import { openSink } from './open-sink';

let cached: ActivityConfig | undefined;

export function cliConfig(): ActivityConfig {
  cached ??= loadConfig();
  return cached;
}

export async function withSink<T>(action: (sink: Sink, description: string) => Promise<T>): Promise<T> {
  const { sink, description } = openSink(cliConfig());
  try {
    return await action(sink, description);
  } finally {
    await sink.close();
  }
}

/** Collects repeated `--param k=v` flags into an object. */
export function collectParam(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`--param must look like name=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1) };
}
