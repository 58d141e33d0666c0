/**
 * The journal's files on disk: one fsync'd file per request (owner-only), deleted once its rows are stored and kept
 * when they could not be; at the next start whole files become one spool batch per table, and a file a crash cut
 * short (never acknowledged) is deleted, not replayed.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QueuedRow } from '../exporter/queue/batch-queue';
import { newPipelineStats } from '../exporter/queue/pipeline-stats';
import { JOURNAL_DIR, RequestJournal } from '../exporter/queue/request-journal';
import { Spool } from '../exporter/queue/spool';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'request-journal-'));
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const rows: QueuedRow[] = [
  { table: 'access_log', row: { span_id: 'a1', timestamp: '2026-12-04 10:00:00.000', route: '/x' } },
  { table: 'auth_events', row: { span_id: 'b1', timestamp: '2026-12-04 10:00:00.001', event: 'login' } },
  { table: 'access_log', row: { span_id: 'a2', timestamp: '2026-12-04 10:00:00.002', route: '/y' } },
];

const journalDir = () => path.join(root, JOURNAL_DIR);
const files = () => fs.readdirSync(journalDir()).filter((n) => n.endsWith('.ndjson'));

describe('RequestJournal', () => {
  it('writes one owner-only file per request and deletes it once the rows are stored, keeps it when they could not be', async () => {
    const stats = newPipelineStats();
    const journal = new RequestJournal(root, stats);
    const stored = await journal.write(rows);
    const dropped = await journal.write(rows.slice(0, 1));
    expect(stored).toBeDefined();
    expect(dropped).toBeDefined();
    expect(files()).toHaveLength(2);
    expect(stats.journalPendingFiles).toBe(2);
    expect(fs.statSync(path.join(journalDir(), stored!)).mode & 0o777).toBe(0o600);

    journal.settled(stored!, true);
    journal.settled(dropped!, false);
    await journal.drain();
    expect(files()).toEqual([dropped]);
    expect(stats.journalPendingFiles).toBe(1);
  });

  it('turns whole files into one spool batch per table at the next start and deletes files cut short', async () => {
    const written = await new RequestJournal(root, newPipelineStats()).write(rows);
    // A crash during a write: the header announces 2 rows, one line made it, the last one is cut.
    fs.writeFileSync(path.join(journalDir(), '000000000000001-1-1.ndjson'), '{"v":1,"rows":2}\n{"table":"access_log","row":{"span_id":"c1"}}\n{"table":"acc');

    const stats = newPipelineStats();
    const spool = new Spool({ dir: root, maxBytes: 1 << 20 }, stats);
    const recovered = await new RequestJournal(root, stats).recover(spool);
    expect(recovered).toBe(3);
    expect(files()).toEqual([]);

    const batches = [];
    for (let next = await spool.oldest(); next; next = await spool.oldest()) {
      batches.push(next.batch);
      await spool.remove(next.name);
    }
    expect(batches.map((b) => [b.table, b.rows.map((r) => (r as { span_id: string }).span_id)]).sort()).toEqual([
      ['access_log', ['a1', 'a2']],
      ['auth_events', ['b1']],
    ]);
    // Tokens of their own, stable for the file: a second replay of the same batch is stored once by the engine.
    expect(batches.map((b) => b.dedupToken).sort()).toEqual([`journal-${written!.slice(0, -7)}-access_log`, `journal-${written!.slice(0, -7)}-auth_events`]);
  });
});
