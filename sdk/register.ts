/**
 * The preload entry: `node --require otel-activity/register app.js`. Reads and validates the config (env and
 * OTEL_ACTIVITY_CONFIG), starts activity tracing, and flushes on SIGTERM / SIGINT / exit. One of the two places
 * (with the config loader) that read process.env.
 */
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import { ConfigError, loadConfig } from './config/config-loader';
import { installExitHandlers } from './setup/exit-handlers';
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

function register(): ActivityTracing | undefined {
  const globals = globalThis as { [REGISTERED]?: ActivityTracing };
  // --require and --import of the same entry, or two copies of the package: start once.
  if (globals[REGISTERED] !== undefined) return globals[REGISTERED];
  const env = process.env;
  if (env.OTEL_SDK_DISABLED === 'true') return undefined;
  const level = LOG_LEVELS[(env.OTEL_LOG_LEVEL ?? 'warn').toLowerCase()] ?? DiagLogLevel.WARN;
  diag.setLogger(new DiagConsoleLogger(), { logLevel: level, suppressOverrideMessage: true });

  let config;
  try {
    config = loadConfig({ env });
  } catch (error) {
    if (error instanceof ConfigError) {
      // A bad config stops the app at start-up, with one clear line rather than a stack trace.
      process.stderr.write(`otel-activity: invalid configuration: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const tracing = startActivityTracing(config, {
    cwd: process.cwd(),
    resourceAttributes: env.OTEL_RESOURCE_ATTRIBUTES,
    nodeEnv: env.NODE_ENV,
  });
  installExitHandlers(() => tracing.forceFlush());
  globals[REGISTERED] = tracing;
  return tracing;
}

export const activityTracing = register();
