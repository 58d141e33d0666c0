// Adds the lock records npm leaves out for other platforms' optional packages (npm/cli #4828, #8320): without
// them `npm ci` refuses the lock ("Missing: @rollup/rollup-darwin-x64@ from lock file"). Run after changing deps:
//   node .ci/lock-platform-packages.mjs
// Records get os, cpu and libc from the registry (`npm view`), or, for packages the registry here does not serve
// (other platforms' builds are often absent from mirrors), from the platform words in the package name; `npm ci`
// then skips them on this platform without fetching them.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const added = [];
for (const [parentPath, parent] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(parent.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${parentPath}/${key}`]) continue;
    const meta = registryMeta(name, version) ?? metaFromName(name, version);
    const record = { version: meta.version, ...(parent.dev ? { dev: true } : {}), optional: true };
    for (const field of ['cpu', 'libc', 'license', 'os']) if (meta[field] !== undefined) record[field] = meta[field];
    lock.packages[key] = record;
    added.push(`${name}@${meta.version}`);
  }
}
function registryMeta(name, version) {
  try {
    const args = ['view', `${name}@${version}`, 'version', 'os', 'cpu', 'libc', 'license', '--json'];
    return JSON.parse(execFileSync('npm', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return undefined;
  }
}

function metaFromName(name, version) {
  const words = name.split(/[/-]/);
  const pick = (choices) => words.filter((w) => choices.includes(w));
  const os = pick(['darwin', 'linux', 'win32', 'android', 'freebsd', 'openbsd', 'netbsd', 'openharmony', 'sunos', 'aix']);
  const cpu = pick(['arm64', 'x64', 'arm', 'ia32', 'ppc64', 'riscv64', 's390x', 'loong64', 'mips64el']);
  const libc = pick(['gnu', 'musl']).map((w) => (w === 'gnu' ? 'glibc' : 'musl'));
  if (os.length === 0 || cpu.length === 0) throw new Error(`${name}@${version}: not in the registry and no platform in its name`);
  return { version, os, cpu, ...(libc.length ? { libc } : {}) };
}

lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added ${added.length}: ${added.join(', ')}` : 'lock already complete');
