// npm pack of the server package: schemas/ and otel-collector.yaml sit beside exporter/ in the repository, and a
// package holds only its own folder, so they are copied in before packing and removed after.
import * as fs from 'node:fs';
import * as path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const repository = path.join(here, '..');
const copies = [
  ['schemas', (name) => fs.statSync(name).isDirectory() || name.endsWith('.sql')],
  ['otel-collector.yaml', () => true],
];

for (const [name, keep] of copies) {
  const target = path.join(here, name);
  fs.rmSync(target, { recursive: true, force: true });
  if (process.argv[2] === 'copy') fs.cpSync(path.join(repository, name), target, { recursive: true, filter: keep });
}
