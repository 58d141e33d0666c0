/**
 * Hono's route path (of the handler that answered, with `basePath`/`route()` prefixes) at request end, for apps on
 * @hono/node-server, which hands the IncomingMessage to Hono as `env.incoming`. Hono keeps its context private to its
 * dispatch, so its `Context` class is replaced by a subclass (InstrumentationBase on hono's context module, CommonJS
 * and ESM builds) whose constructor leaves the context on that IncomingMessage: two writes per request.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import type { IncomingMessage } from 'node:http';
import { setFrameworkRouteSource } from './framework-route';

interface MatchedRoute {
  readonly path?: unknown;
  readonly method?: unknown;
}

interface HonoContextLike {
  readonly req: { readonly matchedRoutes?: readonly MatchedRoute[]; readonly routeIndex?: number };
}

type ContextClass = new (request: unknown, options?: { env?: { incoming?: unknown } }) => object;

const INSTRUMENTATION_VERSION = '0.1.0';
const ORIGINAL = Symbol('otel-activity.hono-original-context');

/**
 * The path of the handler Hono ran last. A catch-all `use()` middleware (method ALL, path ending in `*`) that ran
 * last means no route answered (a 404, or middleware that answered itself, like an auth check): no template then,
 * rather than `/*` for everything.
 */
function honoRoute(context: object): string | undefined {
  try {
    const req = (context as HonoContextLike).req;
    const matched = req.matchedRoutes;
    if (matched === undefined || matched.length === 0) return undefined;
    const route = matched[req.routeIndex ?? 0] ?? matched[matched.length - 1];
    if (typeof route.path !== 'string') return undefined;
    if (route.method === 'ALL' && route.path.endsWith('*')) return undefined;
    return route.path;
  } catch {
    // A Hono whose request no longer has these (deprecated in 4.8): fall back to templates.
    return undefined;
  }
}

function tracedContext(original: ContextClass): ContextClass {
  class Context extends original {
    constructor(request: unknown, options?: { env?: { incoming?: unknown } }) {
      super(request, options);
      const incoming = options?.env?.incoming;
      if (typeof incoming === 'object' && incoming !== null) setFrameworkRouteSource(incoming as IncomingMessage, this, honoRoute);
    }
  }
  Object.defineProperty(Context, ORIGINAL, { value: original });
  return Context;
}

interface ContextModule {
  Context?: ContextClass & { [ORIGINAL]?: ContextClass };
}

function patch(moduleExports: ContextModule): ContextModule {
  const current = moduleExports.Context;
  if (typeof current === 'function' && current[ORIGINAL] === undefined) moduleExports.Context = tracedContext(current);
  return moduleExports;
}

function unpatch(moduleExports: ContextModule | undefined): void {
  const original = moduleExports?.Context?.[ORIGINAL];
  if (moduleExports !== undefined && original !== undefined) moduleExports.Context = original;
}

export class HonoRouteInstrumentation extends InstrumentationBase {
  constructor() {
    super('otel-activity-hono-route', INSTRUMENTATION_VERSION, {});
  }

  protected override init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition('hono', ['>=4 <5'], undefined, undefined, [
      new InstrumentationNodeModuleFile('hono/dist/cjs/context.js', ['>=4 <5'], patch, unpatch),
      new InstrumentationNodeModuleFile('hono/dist/context.js', ['>=4 <5'], patch, unpatch),
    ]);
  }
}
