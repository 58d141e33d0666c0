/**
 * Runs a check of a table's parts with its background merges paused: a merge between two reads of system tables
 * replaces parts under them (seen: 31 active parts, then 26 carrying a projection). STOP MERGES only keeps new merges
 * from starting, so the check waits for those already running (mutations included) to finish first.
 */
import type { EmbeddedSink } from '../../exporter/sinks/embedded-sink';

export async function withoutMerges<T>(sink: EmbeddedSink, table: string, check: () => Promise<T>): Promise<T> {
  await sink.command(`SYSTEM STOP MERGES ${table}`);
  try {
    for (const until = Date.now() + 60_000; ; ) {
      const [running] = await sink.query<{ n: string | number }>('SELECT count() AS n FROM system.merges WHERE table = {table:String}', { table });
      if (Number(running?.n ?? 0) === 0) break;
      if (Date.now() > until) throw new Error(`merges of ${table} still running after 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return await check();
  } finally {
    await sink.command(`SYSTEM START MERGES ${table}`);
  }
}
