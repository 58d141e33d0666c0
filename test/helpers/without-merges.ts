/**
 * Runs a check of a table's parts with its background merges paused: a merge between two reads of system tables
 * replaces parts under them (seen: 31 active parts, then 26 carrying a projection).
 */
import type { EmbeddedSink } from '../../exporter/sinks/embedded-sink';

export async function withoutMerges<T>(sink: EmbeddedSink, table: string, check: () => Promise<T>): Promise<T> {
  await sink.command(`SYSTEM STOP MERGES ${table}`);
  try {
    return await check();
  } finally {
    await sink.command(`SYSTEM START MERGES ${table}`);
  }
}
