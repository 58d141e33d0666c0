/**
 * `spool/rejected/`: batches the engine refused for good, kept for a human to inspect. They hold the same personal
 * data as the tables, so they follow the same rules: deleted once older than the raw tables' retention, and a
 * privacy erasure removes the user's rows from them too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const REJECTED_DIR = 'rejected';
const SUFFIX = '.ndjson';
const DAY_MS = 86_400_000;

function rejectedFiles(spoolDir: string): string[] {
  const dir = path.join(spoolDir, REJECTED_DIR);
  try {
    return fs.readdirSync(dir).filter((name) => name.endsWith(SUFFIX)).map((name) => path.join(dir, name));
  } catch {
    return [];
  }
}

/** The header with its row count updated, so a batch a human moves back into the spool still replays. */
function recount(header: string, rows: number): string {
  try {
    const parsed = JSON.parse(header) as Record<string, unknown>;
    return JSON.stringify({ ...parsed, rows });
  } catch {
    return header;
  }
}

/** Deletes rejected batches last written more than `days` ago; returns how many. */
export async function expireRejectedBatches(spoolDir: string, days: number, now = Date.now()): Promise<number> {
  let removed = 0;
  for (const file of rejectedFiles(spoolDir)) {
    try {
      if (now - (await fs.promises.stat(file)).mtimeMs > days * DAY_MS) {
        await fs.promises.rm(file, { force: true });
        removed++;
      }
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}

/**
 * Removes the rows of `userId` (the `user_id` of every raw table's row) from every rejected batch: a file is
 * rewritten without them (temp file, fsync, rename) or deleted when nothing else is left. Returns rows removed.
 */
export async function eraseUserFromRejectedBatches(spoolDir: string, userId: string): Promise<number> {
  let removed = 0;
  for (const file of rejectedFiles(spoolDir)) {
    const lines = (await fs.promises.readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
    // The first line is the batch header ({v, table, …}); every other line is one row.
    const [header, ...rows] = lines;
    const kept = rows.filter((line) => {
      try {
        return (JSON.parse(line) as { user_id?: unknown }).user_id !== userId;
      } catch {
        return true;
      }
    });
    if (kept.length === rows.length) continue;
    removed += rows.length - kept.length;
    if (kept.length === 0) {
      await fs.promises.rm(file, { force: true });
      continue;
    }
    const temp = `${file}.tmp`;
    const handle = await fs.promises.open(temp, 'w', 0o600);
    try {
      await handle.writeFile(`${[recount(header, kept.length), ...kept].join('\n')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(temp, file);
  }
  return removed;
}
