/**
 * Loads the chDB engine with a memory footprint fit for a process that also serves HTTP: its allocator told to give
 * freed pages back soon, and its caches sized for one embedded data directory instead of a dedicated server.
 */
import type * as Chdb from 'chdb';

/**
 * chDB's jemalloc (compiled in, read once when libchdb.so loads) keeps freed pages for 5 s. Under steady ingest that
 * is ~200 MiB resident for ~50 MiB allocated (measured: 50k spans inserted in 5000-row batches, jemalloc `resident`
 * 256 MiB, `allocated` 53 MiB). A short decay returns them within a fraction of a second from jemalloc's background
 * thread; the heap profiler (sampling every 512 KiB) is off, nothing here reads its profiles.
 */
export const ENGINE_MALLOC_CONF = 'dirty_decay_ms:250,muzzy_decay_ms:0,prof:false';

/** The variable chDB's jemalloc reads (its symbols carry the je_ prefix, and so does the variable). */
const MALLOC_CONF_VAR = 'JE_MALLOC_CONF';

/**
 * Server settings at connect (they cannot be SET later). The defaults are a server's: mark and index caches of 5 GiB
 * each fill as the dashboard reads; here they are capped at sizes that hold the marks of tens of millions of rows.
 */
export const ENGINE_CONNECTION_ARGS: readonly string[] = [
  `--mark_cache_size=${64 * 1024 * 1024}`,
  `--index_mark_cache_size=${16 * 1024 * 1024}`,
  `--primary_index_cache_size=${32 * 1024 * 1024}`,
  '--uncompressed_cache_size=0',
  `--query_condition_cache_size=${16 * 1024 * 1024}`,
  `--compiled_expression_cache_size=${16 * 1024 * 1024}`,
];

let loaded: typeof Chdb | undefined;

/**
 * The chdb module, loaded on first use with ENGINE_MALLOC_CONF unless the operator set JE_MALLOC_CONF (theirs wins).
 * Once libchdb.so is in the process the allocator is configured for good, so a module that required chdb first
 * (a test helper) keeps the build's defaults; that is harmless, only the footprint differs.
 */
export function loadChdb(): typeof Chdb {
  if (loaded) return loaded;
  const own = process.env[MALLOC_CONF_VAR] === undefined;
  if (own) process.env[MALLOC_CONF_VAR] = ENGINE_MALLOC_CONF;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('chdb') as typeof Chdb;
  } finally {
    // The engine has read it; child processes (an app spawned by the CLI) must not inherit our allocator choice.
    if (own) delete process.env[MALLOC_CONF_VAR];
  }
  return loaded;
}
