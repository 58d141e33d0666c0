/**
 * Reads the versioned migrations (schemas/migrations/NNN_name.sql) and the schema_migrations table DDL from
 * disk, in version order, with the sha256 of each file so an edited applied migration is detected.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageAsset } from '../exporter/package-assets';

export interface MigrationFile {
  /** The NNN prefix as a number. */
  readonly version: number;
  /** File name without `.sql`, e.g. `001_access_log`. */
  readonly name: string;
  /** The file's text, with {{retention_days}} / {{rollup_retention_days}} slots still in it. */
  readonly sql: string;
  /** sha256 hex of the file's text. */
  readonly checksum: string;
}

const FILE_RE = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/** The schemas/ folder holding the .sql files. */
export function schemasDir(): string {
  return packageAsset('schemas');
}

export function loadMigrations(dir: string = path.join(schemasDir(), 'migrations')): MigrationFile[] {
  const migrations: MigrationFile[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    const match = FILE_RE.exec(file);
    if (!match) continue;
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    migrations.push({ version: Number(match[1]), name: file.slice(0, -'.sql'.length), sql, checksum: sha256(sql) });
  }
  const seen = new Set<number>();
  for (const m of migrations) {
    if (seen.has(m.version)) throw new Error(`otel-activity: two migrations share version ${m.version} in ${dir}; give each file its own NNN prefix`);
    seen.add(m.version);
  }
  return migrations;
}

export function readSchemaMigrationsDdl(): string {
  return fs.readFileSync(path.join(schemasDir(), 'schema-migrations.sql'), 'utf8');
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
