/**
 * Koa's matched route (`ctx._matchedRoute`, set by @koa/router with its prefixes) at request end. Koa keeps nothing
 * on the IncomingMessage, so `Application.prototype.createContext` is wrapped (InstrumentationBase, hence both
 * `require` and, under `--import`, ESM `import`) to leave the context there: one wrap per app, two writes per request.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import type { IncomingMessage } from 'node:http';
import { setFrameworkRouteSource } from './framework-route';

interface KoaContextLike {
  readonly _matchedRoute?: unknown;
}

type CreateContext = (this: unknown, req: IncomingMessage, res: unknown) => unknown;

interface KoaApplicationClass {
  readonly prototype: { createContext: CreateContext };
}

const INSTRUMENTATION_VERSION = '0.1.0';

function koaRoute(context: object): string | undefined {
  // A RegExp route has no template to show.
  const route = (context as KoaContextLike)._matchedRoute;
  return typeof route === 'string' ? route : undefined;
}

function applicationOf(moduleExports: unknown): KoaApplicationClass | undefined {
  // require('koa') is the class; an ESM import's namespace has it as default.
  const candidate = typeof moduleExports === 'function' ? moduleExports : (moduleExports as { default?: unknown } | undefined)?.default;
  return typeof candidate === 'function' && typeof (candidate as KoaApplicationClass).prototype?.createContext === 'function'
    ? (candidate as KoaApplicationClass)
    : undefined;
}

export class KoaRouteInstrumentation extends InstrumentationBase {
  constructor() {
    super('otel-activity-koa-route', INSTRUMENTATION_VERSION, {});
  }

  protected override init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'koa',
      ['>=2 <4'],
      (moduleExports: unknown) => {
        const application = applicationOf(moduleExports);
        if (application !== undefined) this._wrap(application.prototype, 'createContext', wrapCreateContext);
        return moduleExports;
      },
      (moduleExports: unknown) => {
        const application = applicationOf(moduleExports);
        if (application !== undefined) this._unwrap(application.prototype, 'createContext');
      },
    );
  }
}

function wrapCreateContext(original: CreateContext): CreateContext {
  return function createContext(this: unknown, req: IncomingMessage, res: unknown): unknown {
    const context = original.call(this, req, res);
    if (typeof context === 'object' && context !== null && typeof req === 'object' && req !== null) {
      setFrameworkRouteSource(req, context, koaRoute);
    }
    return context;
  };
}
