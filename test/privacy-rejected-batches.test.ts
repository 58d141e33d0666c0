// spool/rejected/ holds batches the engine refused for good, with the same personal data as the tables: a privacy
// erasure removes the user's rows from them, and batches past the raw tables' retention are deleted.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eraseUserFromRejectedBatches, expireRejectedBatches } from '../exporter/queue/rejected-batches';

let spoolDir: string;
const rejected = () => path.join(spoolDir, 'rejected');

function writeBatch(name: string, rows: Array<Record<string, unknown>>): string {
  const file = path.join(rejected(), name);
  const header = JSON.stringify({ v: 1, table: 'access_log', rows: rows.length });
  fs.writeFileSync(file, `${[header, ...rows.map((r) => JSON.stringify(r))].join('\n')}\n`);
  return file;
}

function rowsOf(file: string): Array<Record<string, unknown>> {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').slice(1).map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeEach(() => {
  spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), 'otel-activity-rejected-'));
  fs.mkdirSync(rejected());
});

afterEach(() => fs.rmSync(spoolDir, { recursive: true, force: true }));

describe('rejected batches', () => {
  it("erase-user removes the user's rows, keeps everyone else's, and deletes a batch left empty", async () => {
    const mixed = writeBatch('0000000000000001.ndjson', [
      { user_id: 'alice', path: '/a' },
      { user_id: 'bob', path: '/b' },
      { user_id: 'alice', path: '/c' },
    ]);
    const onlyAlice = writeBatch('0000000000000002.ndjson', [{ user_id: 'alice', path: '/d' }]);
    const onlyBob = writeBatch('0000000000000003.ndjson', [{ user_id: 'bob', path: '/e' }]);
    const before = fs.readFileSync(onlyBob, 'utf8');

    expect(await eraseUserFromRejectedBatches(spoolDir, 'alice')).toBe(3);
    expect(rowsOf(mixed)).toEqual([{ user_id: 'bob', path: '/b' }]);
    expect(JSON.parse(fs.readFileSync(mixed, 'utf8').split('\n')[0])).toEqual({ v: 1, table: 'access_log', rows: 1 });
    expect(fs.existsSync(onlyAlice)).toBe(false);
    expect(fs.readFileSync(onlyBob, 'utf8')).toBe(before);
    expect(fs.statSync(mixed).mode & 0o777).toBe(0o600);
    expect(await eraseUserFromRejectedBatches(spoolDir, 'alice')).toBe(0);
  });

  it('deletes batches older than the retention and keeps newer ones', async () => {
    const old = writeBatch('0000000000000001.ndjson', [{ user_id: 'carol' }]);
    const recent = writeBatch('0000000000000002.ndjson', [{ user_id: 'dave' }]);
    const now = Date.now();
    fs.utimesSync(old, new Date(now - 91 * 86_400_000), new Date(now - 91 * 86_400_000));
    fs.utimesSync(recent, new Date(now - 89 * 86_400_000), new Date(now - 89 * 86_400_000));
    expect(await expireRejectedBatches(spoolDir, 90, now)).toBe(1);
    expect(fs.existsSync(old)).toBe(false);
    expect(fs.existsSync(recent)).toBe(true);
  });

  it('is a no-op without a rejected/ directory', async () => {
    fs.rmSync(rejected(), { recursive: true });
    expect(await eraseUserFromRejectedBatches(spoolDir, 'alice')).toBe(0);
    expect(await expireRejectedBatches(spoolDir, 1)).toBe(0);
  });
});
