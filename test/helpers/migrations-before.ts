/**
 * The shipped migrations older than one version, written to a folder of their own: a test migrates an install to
 * there, fills it, then runs the rest as an upgrade would.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadMigrations } from '../../schemas/migration-files';

/** Writes the migrations before `version` to `<root>/migrations` and returns that folder (for migrate's migrationsDir). */
export function migrationsBefore(root: string, version: number): string {
  const dir = path.join(root, 'migrations');
  fs.mkdirSync(dir);
  for (const m of loadMigrations().filter((m) => m.version < version)) fs.writeFileSync(path.join(dir, `${m.name}.sql`), m.sql);
  return dir;
}
