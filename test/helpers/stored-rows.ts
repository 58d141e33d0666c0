/**
 * Reads what really landed in an embedded (chDB) data directory, from a child process so the test process never
 * holds the directory's lock, and compares acknowledged span ids with stored ones (lost, duplicated, unexpected).
 * Call it only while no service owns the directory (chDB allows one process per directory).
 */
import { execFile } from 'node:child_process';
import { REPO_ROOT } from './built-paths';

const CHILD = `
const { Session } = require('chdb');
const [dir, sql] = [process.argv[1], process.argv[2]];
const session = new Session(dir);
try {
  process.stdout.write(session.query(sql, 'JSONEachRow'));
} finally {
  session.close?.();
}
`;

/** Runs one SELECT against the data directory in a fresh process; rows as objects. */
export function queryDataDir<T = Record<string, unknown>>(dataDir: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', CHILD, dataDir, sql], { cwd: REPO_ROOT, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`query on ${dataDir} failed: ${error.message}\n${stderr}`));
        return;
      }
      resolve(
        stdout
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as T),
      );
    });
  });
}

/** The database that holds the activity tables (the embedded sink may use `default` or its own). */
export async function activityDatabase(dataDir: string): Promise<string> {
  const rows = await queryDataDir<{ database: string }>(dataDir, "SELECT database FROM system.tables WHERE name = 'access_log' LIMIT 1");
  if (rows.length === 0) throw new Error(`no access_log table in ${dataDir}`);
  return rows[0]!.database;
}

/** span_id → number of rows holding it, over the given tables. */
export async function storedSpanIdCounts(
  dataDir: string,
  tables: readonly string[] = ['access_log', 'auth_events', 'external_calls'],
): Promise<Map<string, number>> {
  const db = await activityDatabase(dataDir);
  const union = tables.map((t) => `SELECT span_id FROM \`${db}\`.\`${t}\``).join(' UNION ALL ');
  const rows = await queryDataDir<{ span_id: string; n: string | number }>(dataDir, `SELECT span_id, count() AS n FROM (${union}) GROUP BY span_id`);
  return new Map(rows.map((r) => [r.span_id, Number(r.n)]));
}

export interface DeliveryReport {
  readonly acknowledged: number;
  readonly stored: number;
  /** Acknowledged but not stored. Must be 0. */
  readonly lost: string[];
  /** Stored more than once. Must be 0. */
  readonly duplicated: string[];
  /** Stored but never sent at all. Must be 0. */
  readonly unexpected: string[];
  /** Sent, not acknowledged, yet stored (the service stored it and died before answering; fine if not duplicated). */
  readonly storedUnacknowledged: number;
}

export function compareDelivery(acknowledged: ReadonlySet<string>, sent: ReadonlySet<string>, stored: ReadonlyMap<string, number>): DeliveryReport {
  const lost = [...acknowledged].filter((id) => !stored.has(id));
  const duplicated = [...stored].filter(([, n]) => n > 1).map(([id]) => id);
  const unexpected = [...stored.keys()].filter((id) => !sent.has(id));
  const storedUnacknowledged = [...stored.keys()].filter((id) => sent.has(id) && !acknowledged.has(id)).length;
  return { acknowledged: acknowledged.size, stored: stored.size, lost, duplicated, unexpected, storedUnacknowledged };
}
