/**
 * Living beside an app's own OpenTelemetry setup, in either load order: we never register a global tracer provider
 * (the app's NodeSDK registers its own, and its exporter then gets exactly its own spans), and register the context
 * manager and propagator only when nobody has: both are shared plumbing, and one AsyncLocalStorage context manager
 * serves every provider. An SDK registering after us finds ours and says so through diag: that one message is
 * expected and not shown.
 */
import { context, diag, DiagConsoleLogger, propagation, type ContextManager, type DiagLogger, type DiagLogLevel, type TextMapPropagator } from '@opentelemetry/api';

/** The API's global registry (what `registerGlobal` writes), read to know whether a slot is taken. */
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');

interface GlobalSlots {
  context?: ContextManager;
  propagation?: TextMapPropagator;
}

function slots(): GlobalSlots {
  return ((globalThis as { [GLOBAL_KEY]?: GlobalSlots })[GLOBAL_KEY] ?? {});
}

export interface SharedGlobals {
  /** The context manager requests run in: ours, or the one the app registered first. */
  readonly contextManager: ContextManager;
  /** What we registered (and unregister at shutdown). */
  readonly registered: { readonly context: boolean; readonly propagation: boolean };
}

export function registerSharedGlobals(ours: ContextManager, propagator: TextMapPropagator): SharedGlobals {
  const existing = slots().context;
  let contextRegistered = false;
  if (existing === undefined) contextRegistered = context.setGlobalContextManager(ours.enable());
  let propagationRegistered = false;
  if (slots().propagation === undefined) propagationRegistered = propagation.setGlobalPropagator(propagator);
  return {
    contextManager: contextRegistered || existing === undefined ? ours : existing,
    registered: { context: contextRegistered, propagation: propagationRegistered },
  };
}

export function unregisterSharedGlobals(globals: SharedGlobals): void {
  if (globals.registered.context && slots().context === globals.contextManager) context.disable();
  if (globals.registered.propagation) propagation.disable();
}

const DUPLICATE = /^Attempted duplicate registration of API: (context|propagation)\b/;

/** The console logger, minus the duplicate-registration errors our own shared registrations cause. */
class SharedGlobalsLogger implements DiagLogger {
  private readonly console = new DiagConsoleLogger();

  error(message: string, ...args: unknown[]): void {
    if (DUPLICATE.test(message)) return;
    this.console.error(message, ...args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.console.warn(message, ...args);
  }
  info(message: string, ...args: unknown[]): void {
    this.console.info(message, ...args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.console.debug(message, ...args);
  }
  verbose(message: string, ...args: unknown[]): void {
    this.console.verbose(message, ...args);
  }
}

export function installDiagLogger(level: DiagLogLevel): void {
  diag.setLogger(new SharedGlobalsLogger(), { logLevel: level, suppressOverrideMessage: true });
}
