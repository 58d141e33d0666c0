/**
 * `OTEL_ACTIVITY_ROUTES`: route templates for apps whose router we cannot read (plain node:http, an unknown
 * framework). `:name` matches one non-empty segment, `*` one segment, or as the last segment the rest of the path;
 * the most specific template wins (a static segment before `:name` before `*`), so the list order does not matter.
 */

/** Template → the route for a path, or undefined when none matches. */
export type ConfiguredRouteMatcher = (path: string) => string | undefined;

const STATIC = 0;
const PARAM = 1;
const WILDCARD = 2;

interface CompiledTemplate {
  readonly template: string;
  /** The static text of each segment; '' where kinds[i] is not STATIC. */
  readonly segments: readonly string[];
  readonly kinds: readonly number[];
  /** A last `*` takes the rest of the path (one segment or more). */
  readonly rest: boolean;
}

function splitPath(path: string): string[] {
  // '/a/b/' and '/a/b' are the same route; the leading '' is dropped.
  const end = path.length > 1 && path.endsWith('/') ? path.length - 1 : path.length;
  return path.slice(1, end).split('/');
}

function compile(template: string): CompiledTemplate {
  const parts = splitPath(template);
  const kinds = parts.map((part) => (part === '*' ? WILDCARD : part.startsWith(':') && part.length > 1 ? PARAM : STATIC));
  return {
    template,
    segments: parts.map((part, i) => (kinds[i] === STATIC ? part : '')),
    kinds,
    rest: kinds.length > 0 && kinds[kinds.length - 1] === WILDCARD,
  };
}

/** Segment by segment, a static segment before a parameter before a wildcard; then the longer template first. */
function bySpecificity(a: CompiledTemplate, b: CompiledTemplate): number {
  const n = Math.min(a.kinds.length, b.kinds.length);
  for (let i = 0; i < n; i++) if (a.kinds[i] !== b.kinds[i]) return a.kinds[i] - b.kinds[i];
  return b.kinds.length - a.kinds.length;
}

function matches(compiled: CompiledTemplate, segments: readonly string[]): boolean {
  const count = compiled.kinds.length;
  if (compiled.rest ? segments.length < count : segments.length !== count) return false;
  for (let i = 0; i < count; i++) {
    const kind = compiled.kinds[i];
    if (kind === STATIC) {
      if (segments[i] !== compiled.segments[i]) return false;
    } else if (segments[i] === '') return false;
  }
  return true;
}

const CACHE_LIMIT = 2000;

export function compileConfiguredRoutes(templates: readonly string[]): ConfiguredRouteMatcher | undefined {
  if (templates.length === 0) return undefined;
  const compiled = templates.map(compile).sort(bySpecificity);
  const cache = new Map<string, string | null>();
  return (path) => {
    const hit = cache.get(path);
    if (hit !== undefined) return hit ?? undefined;
    const segments = splitPath(path);
    const found = compiled.find((c) => matches(c, segments))?.template ?? null;
    // Bounded like routeTemplate's cache: when full, start over.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(path, found);
    return found ?? undefined;
  };
}
