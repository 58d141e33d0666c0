/**
 * Lets an app's own instrumentations patch core modules when they register after ours. Every OTel instrumentation
 * registers through one shared require-in-the-middle hook per copy of @opentelemetry/instrumentation, which patches
 * a module the first time it is required, for the instrumentations registered at that moment, and then returns the
 * cached result: one registered later never patches it. With otel-activity preloaded before an app's NodeSDK, the
 * SDK's own start-up requires `http` in between, so the app's instrumentation-http would never see a request. When
 * an instrumentation registers for a core module the hook has already seen, its patch is applied at once, to the
 * same exports object everyone holds.
 */
import { diag } from '@opentelemetry/api';
import { isBuiltin } from 'node:module';

type OnRequire = (exports: unknown, name: string, baseDir?: string) => unknown;

interface SingletonLike {
  _moduleNameTrie?: { search?: (name: string, options?: { fullOnly?: boolean }) => unknown };
  register?: (moduleName: string, onRequire: OnRequire) => unknown;
}

const PATCHED = Symbol.for('otel-activity.late-core-registrations');

function singleton(): SingletonLike | undefined {
  try {
    // Internal to @opentelemetry/instrumentation (no exports map restricts it); absent in another layout: no-op.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require('@opentelemetry/instrumentation/build/src/platform/node/RequireInTheMiddleSingleton') as {
      RequireInTheMiddleSingleton?: { getInstance(): SingletonLike };
    };
    return loaded.RequireInTheMiddleSingleton?.getInstance();
  } catch {
    return undefined;
  }
}

export function replayLateCoreRegistrations(): void {
  const instance = singleton();
  const trie = instance?._moduleNameTrie;
  if (instance === undefined || trie === undefined || typeof trie.search !== 'function' || typeof instance.register !== 'function') return;
  if ((instance as { [PATCHED]?: boolean })[PATCHED]) return;
  (instance as { [PATCHED]?: boolean })[PATCHED] = true;

  // The hook searches once per module, on its first require (fullOnly marks a core module): that is what it caches.
  const seen = new Set<string>();
  const search = trie.search.bind(trie);
  trie.search = (name, options) => {
    if (options?.fullOnly === true) seen.add(name);
    return search(name, options);
  };
  const register = instance.register.bind(instance);
  instance.register = (moduleName, onRequire) => {
    const hooked = register(moduleName, onRequire);
    const name = moduleName.startsWith('node:') ? moduleName.slice(5) : moduleName;
    if (isBuiltin(name) && seen.has(name)) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- the cached core module, patched in place
        onRequire(require(name), name, undefined);
      } catch (error) {
        diag.warn(`otel-activity: could not apply a late instrumentation patch of ${name}`, error);
      }
    }
    return hooked;
  };
}
