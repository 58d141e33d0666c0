/**
 * The preload entry: `node --require otel-activity/register app.js`. Reads the SDK's settings (env and
 * OTEL_ACTIVITY_CONFIG), starts activity tracing, and flushes on SIGTERM / SIGINT / exit. A bad setting never stops
 * the app: it is named on one line and that key's default is used (OTEL_ACTIVITY_STRICT=true exits instead). One
 * of the two places (with the config loader) that read process.env.
 */
import { DiagLogLevel } from '@opentelemetry/api';
import { ConfigError, loadConfig } from './config/config-loader';
import type { ActivityConfig } from './config/config-types';
import { installExitHandlers } from './setup/exit-handlers';
import { installDiagLogger } from './setup/otel-globals';
import { startActivityTracing, type ActivityTracing } from './setup/start-tracing';

const LOG_LEVELS: Record<string, DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

const REGISTERED = Symbol.for('otel-activity.registered');

function say(line: string): void {
  process.stderr.write(`otel-activity: ${line}\n`);
}

/** A lenient problem, on one line: the app keeps running. */
function sayProblem(problem: string): void {
  say(`${problem} (OTEL_ACTIVITY_STRICT=true stops the app instead)`);
}

/** The SDK's section only (the in-process exporter reads its own); other packages' variables are left to them. */
function loadAppConfig(env: NodeJS.ProcessEnv): ActivityConfig {
  const problems: string[] = [];
  const config = loadConfig({ env, onProblem: (message) => problems.push(message) });
  for (const problem of problems) sayProblem(problem);
  return config;
}

function register(): ActivityTracing | undefined {
  const globals = globalThis as { [REGISTERED]?: ActivityTracing };
  // --require and --import of the same entry, or two copies of the package: start once.
  if (globals[REGISTERED] !== undefined) return globals[REGISTERED];
  const env = process.env;
  // The OTel spec: "true", case-insensitive, disables the SDK; anything else does not.
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return undefined;
  const levelName = (env.OTEL_LOG_LEVEL ?? '').trim().toLowerCase();
  const level = LOG_LEVELS[levelName];
  installDiagLogger(level ?? DiagLogLevel.WARN, level !== undefined);
  if (levelName !== '' && level === undefined) {
    say(`OTEL_LOG_LEVEL must be one of ${Object.keys(LOG_LEVELS).join(', ')}, got "${env.OTEL_LOG_LEVEL}"; using warn`);
  }

  let config: ActivityConfig;
  try {
    config = loadAppConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Only with OTEL_ACTIVITY_STRICT=true: stop at start-up, with one clear line rather than a stack trace.
    say(`invalid configuration: ${error.message}`);
    process.exit(78); // EX_CONFIG
  }
  let tracing: ActivityTracing;
  try {
    tracing = startActivityTracing(config, {
      cwd: process.cwd(),
      resourceAttributes: env.OTEL_RESOURCE_ATTRIBUTES,
      nodeEnv: env.NODE_ENV,
      onConfigProblem: sayProblem,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      // The in-process exporter's own settings, with OTEL_ACTIVITY_STRICT=true: the same stop as the SDK's.
      say(`invalid configuration: ${error.message}`);
      process.exit(78); // EX_CONFIG
    }
    // Never the app's problem: it runs untracked.
    say(`could not start, the app runs without activity tracking: ${(error as Error).message}`);
    return undefined;
  }
  installExitHandlers(() => tracing.forceFlush(), { beforeReraise: () => tracing.handOff() });
  globals[REGISTERED] = tracing;
  return tracing;
}

export const activityTracing = register();
