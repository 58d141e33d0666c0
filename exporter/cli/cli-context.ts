/**
 * What every command needs: the loaded config (env, OTEL_ACTIVITY_CONFIG file) and a Sink opened for the duration of
 * one action and closed afterwards, so the chDB directory lock is held no longer than the command runs.
 */
import { InvalidArgumentError } from 'commander';
import { loadConfig, type ActivityConfig } from '../config';
import { OperationArgumentError, runOperation, type OperationName, type OperationResult } from '../service/admin-operations';
import type { Sink } from '../sinks/sink';
import { UsageError } from './cli-errors';
import { openSink } from './open-sink';
import { ServiceQuerySink } from './service-query-sink';

let cached: ActivityConfig | undefined;

export function cliConfig(): ActivityConfig {
  cached ??= loadConfig();
  return cached;
}

export async function withSink<T>(action: (sink: Sink | ServiceQuerySink, description: string) => Promise<T>): Promise<T> {
  const { sink, description } = openSink(cliConfig());
  try {
    return await action(sink, description);
  } finally {
    await sink.close();
  }
}

/**
 * Runs a named admin operation: by the running service when it owns the data directory (the CLI cannot open it then,
 * and the service runs no raw SQL for anyone), else on the engine itself.
 */
export async function runCliOperation(name: OperationName, args: Readonly<Record<string, unknown>>): Promise<OperationResult & { description: string }> {
  return withSink(async (sink, description) => {
    try {
      const result = sink instanceof ServiceQuerySink ? await sink.operation(name, args) : await runOperation(name, sink, args, cliConfig());
      return { ...result, description };
    } catch (error) {
      if (error instanceof OperationArgumentError) throw new UsageError(error.message);
      throw error;
    }
  });
}

/** Runs `check` and turns its OperationArgumentError into a UsageError (exit 2), before any engine is opened. */
export function checkUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof OperationArgumentError) throw new UsageError(error.message);
    throw error;
  }
}

/** Collects repeated `--param k=v` flags into an object. */
export function collectParam(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`--param must look like name=value, got "${value}"`);
  return { ...previous, [value.slice(0, eq).trim()]: value.slice(eq + 1) };
}
