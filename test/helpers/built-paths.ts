/**
 * Where `npm run build` puts what tests start as child processes: the SDK package builds into sdk/dist, the
 * server package into exporter/dist (its exporter/ and schemas/), the repository's demo and bench into dist/.
 */
import * as path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const SDK_DIST = path.join(REPO_ROOT, 'sdk', 'dist');
const SERVER_DIST = path.join(REPO_ROOT, 'exporter', 'dist');

export const REGISTER_CJS = path.join(SDK_DIST, 'register.js');
export const REGISTER_ESM = path.join(SDK_DIST, 'register.mjs');
export const SDK_INDEX = path.join(SDK_DIST, 'index.js');
export const CLI_MAIN = path.join(SERVER_DIST, 'exporter', 'cli', 'main.js');
export const DEMO_MAIN = path.join(REPO_ROOT, 'dist', 'demo', 'run-demo.js');

/** A built module of the server package, e.g. serverModule('exporter/sinks/embedded-sink'). */
export function serverModule(relative: string): string {
  return path.join(SERVER_DIST, `${relative}.js`);
}
