/**
 * Living beside an app's own OpenTelemetry setup, in either load order: we never register a global tracer provider
 * (the app's NodeSDK registers its own, and its exporter then gets exactly its own spans), and register the context
 * manager and propagator only when nobody has: both are shared plumbing, and one AsyncLocalStorage context manager
 * serves every provider. An SDK registering after us finds ours and says so through diag: that one message is
 * expected and not shown.
 */
import {
  context,
  diag,
  DiagConsoleLogger,
  propagation,
  ProxyTracerProvider,
  type ContextManager,
  type DiagLogger,
  type DiagLogLevel,
  type TextMapPropagator,
} from '@opentelemetry/api';

/** The API's global registry (what `registerGlobal` writes), read to know whether a slot is taken. */
const GLOBAL_KEY = Symbol.for('opentelemetry.js.api.1');

interface GlobalSlots {
  context?: ContextManager;
  propagation?: TextMapPropagator;
  /** What setGlobalTracerProvider registers: the API's ProxyTracerProvider, delegating to the provider. */
  trace?: unknown;
}

function slots(): GlobalSlots {
  return ((globalThis as { [GLOBAL_KEY]?: GlobalSlots })[GLOBAL_KEY] ?? {});
}

const NOOP_DELEGATE = new ProxyTracerProvider().getDelegate();

/**
 * True once the app (or anything) registered a global tracer provider: its instrumentations may then run request
 * handlers in a context of their own, without our span (instrumentation-http starts from ROOT_CONTEXT). A few
 * property reads, checked per request, so a process without another SDK never pays for the fallback store.
 */
export function anotherTracerProvider(): boolean {
  // The registry read straight: trace.getTracerProvider() also checks the registering API's version on each call,
  // a measurable part of our per-request time. A registry of an incompatible API version counts as another
  // provider here, which costs that process only the fallback store.
  const global = slots().trace;
  if (global === undefined) return false;
  return !(global instanceof ProxyTracerProvider) || global.getDelegate() !== NOOP_DELEGATE;
}

export interface SharedGlobals {
  /** The context manager requests run in: ours, or the one the app registered first. */
  readonly contextManager: ContextManager;
  /** What we registered (and unregister at shutdown). */
  readonly registered: { readonly context: boolean; readonly propagation: boolean };
}

export function registerSharedGlobals(ours: ContextManager, propagator: TextMapPropagator): SharedGlobals {
  const existing = slots().context;
  const contextRegistered = existing === undefined && context.setGlobalContextManager(ours.enable());
  const propagationRegistered = slots().propagation === undefined && propagation.setGlobalPropagator(propagator);
  return { contextManager: existing ?? ours, registered: { context: contextRegistered, propagation: propagationRegistered } };
}

export function unregisterSharedGlobals(globals: SharedGlobals): void {
  if (globals.registered.context && slots().context === globals.contextManager) context.disable();
  if (globals.registered.propagation) propagation.disable();
}

const DUPLICATE = /^Attempted duplicate registration of API: (context|propagation)\b/;
const OURS = 'otel-activity';

/**
 * The console logger. Unless OTEL_LOG_LEVEL asks for everything, only our own messages: the diag logger is global,
 * and an app whose SDK logs nothing without us (a failing metrics export, say) must not start printing because of us.
 * Never the duplicate-registration errors our own shared registrations cause.
 */
class ActivityDiagLogger implements DiagLogger {
  private readonly console = new DiagConsoleLogger();

  constructor(private readonly everything: boolean) {}

  private shown(message: string): boolean {
    return this.everything ? !DUPLICATE.test(message) : message.startsWith(OURS);
  }
  error(message: string, ...args: unknown[]): void {
    if (this.shown(message)) this.console.error(message, ...args);
  }
  warn(message: string, ...args: unknown[]): void {
    if (this.shown(message)) this.console.warn(message, ...args);
  }
  info(message: string, ...args: unknown[]): void {
    if (this.shown(message)) this.console.info(message, ...args);
  }
  debug(message: string, ...args: unknown[]): void {
    if (this.shown(message)) this.console.debug(message, ...args);
  }
  verbose(message: string, ...args: unknown[]): void {
    if (this.shown(message)) this.console.verbose(message, ...args);
  }
}

/** `everything`: OTEL_LOG_LEVEL was set, so the user asked to see the OTel SDK's own messages too. */
export function installDiagLogger(level: DiagLogLevel, everything: boolean): void {
  diag.setLogger(new ActivityDiagLogger(everything), { logLevel: level, suppressOverrideMessage: true });
}
