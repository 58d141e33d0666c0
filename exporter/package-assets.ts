/**
 * Where the server package's non-code files are: the .sql files under schemas/, the OTLP .proto files and the
 * dashboard's static files. One lookup that works from the sources, from the build and from the installed package.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'otel-activity-server';

function isServerRoot(dir: string): boolean {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** The package's folder: exporter/ in the repository, the package root once installed. */
function serverRoot(): string {
  let dir = __dirname;
  // exporter/x, exporter/dist/exporter/x or exporter/dist/schemas: the root is at most three folders up.
  for (let up = 0; up <= 3; up++, dir = path.dirname(dir)) {
    if (isServerRoot(dir)) return dir;
  }
  throw new Error(`otel-activity: cannot find the ${PACKAGE_NAME} package above ${__dirname}; reinstall it`);
}

let root: string | undefined;
let inRepository = false;

/**
 * A file or folder the package ships, by its path inside the package (`schemas/queries`, `service/proto`,
 * `dashboard/static`). In the repository schemas/ sits beside exporter/ (the prepack step copies it in for the
 * tarball); the repository is told apart by exporter/tsconfig.json, which is never published, so a pack
 * running meanwhile cannot send a reader to its half-made copy.
 */
export function packageAsset(relative: string): string {
  if (root === undefined) {
    root = serverRoot();
    inRepository = fs.existsSync(path.join(root, 'tsconfig.json'));
  }
  const found = inRepository && relative.startsWith('schemas') ? path.join(root, '..', relative) : path.join(root, relative);
  if (!fs.existsSync(found)) throw new Error(`otel-activity: ${relative} is missing from the ${PACKAGE_NAME} package (looked in ${found}); reinstall it`);
  return found;
}
