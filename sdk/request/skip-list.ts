/**
 * Which request paths are not tracked: exact paths (`/health`), prefixes (`/static/`) and globs (`*.css`,
 * `/assets/*`), compiled once into one matcher.
 */

export type PathMatcher = (path: string) => boolean;

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\?]/g, '\\$&').replace(/\*\*/g, '\u0000').replace(/\*/g, '[^/]*').replace(/\u0000/g, '.*');
  // A glob without a slash (`*.css`) matches the last segment anywhere in the path.
  return glob.includes('/') ? new RegExp(`^${body}$`) : new RegExp(`(^|/)${body}$`);
}

/** `path` is the URL path without the query string. */
export function compileSkipList(patterns: readonly string[]): PathMatcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const extensions = new Set<string>();
  const globs: RegExp[] = [];
  for (const pattern of patterns) {
    if (/^\*\.[^*/]+$/.test(pattern)) extensions.add(pattern.slice(1));
    else if (pattern.includes('*')) globs.push(globToRegExp(pattern));
    else if (pattern.endsWith('/')) prefixes.push(pattern);
    else exact.add(pattern);
  }
  if (exact.size + prefixes.length + extensions.size + globs.length === 0) return () => false;
  return (path) => {
    if (exact.has(path)) return true;
    if (extensions.size > 0) {
      const dot = path.lastIndexOf('.');
      if (dot > path.lastIndexOf('/') && extensions.has(path.slice(dot))) return true;
    }
    for (const prefix of prefixes) if (path.startsWith(prefix)) return true;
    for (const glob of globs) if (glob.test(path)) return true;
    return false;
  };
}
