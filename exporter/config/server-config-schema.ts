/**
 * The server's options, written once: the `exporter` section (batching, retries, spool, ClickHouse) and the
 * `service` section (`otel-activity serve`: listen address, tokens, limits, alerts). Their types are inferred from
 * them (config-types.ts). The SDK's section is the SDK's own (otel-activity); the server's loader adds these to it.
 */
import { bool, field, integer as int, numberMap, oneOf, section, text, url } from 'otel-activity/contract';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const MAX_INT = Number.MAX_SAFE_INTEGER;

export const EXPORTER_SECTION = section('exporter', {
  flushCount: field(int(1, 10_000_000), {
    default: 5000,
    description: 'Insert a batch once this many rows are queued …',
  }),
  flushIntervalMs: field(int(10, 3_600_000), {
    default: 1000,
    description: '… or after this many milliseconds, whichever comes first (a timed batch due while inserts are in flight waits for them and takes what arrived meanwhile)',
  }),
  // Short because a sender waits for the answer; with ackAfter 'journal' it bounds how long answered rows wait to be
  // queryable. Under load the cut also waits for the inserts in flight, so batches grow with the load either way.
  durableFlushMs: field(int(1, 3_600_000), {
    default: 100,
    description: 'The service: rows of a request are cut into a batch at most this long after they arrive (group commit), or at flushCount',
  }),
  maxQueueRows: field(int(1, 100_000_000), {
    default: 100_000,
    description: 'Rows held in memory at most; past it rows are dropped (access first, auth last) and counted',
  }),
  maxQueueBytes: field(int(1024, MAX_INT), {
    default: 64 * MiB,
    description: 'Bytes held in memory at most (approximate)',
  }),
  maxRetries: field(int(0, 1000), {
    default: 8,
    description: 'Insert attempts before a batch goes to the spool',
  }),
  retryInitialMs: field(int(1, 3_600_000), {
    default: 200,
    description: 'First retry delay (exponential backoff with jitter)',
  }),
  retryMaxMs: field(int(1, 3_600_000), {
    default: 30_000,
    description: 'Longest retry delay',
  }),
  dataDir: field(text, {
    default: './.otel-activity/data',
    description: 'Embedded chDB data directory (one process per directory)',
  }),
  spoolDir: field(text, {
    default: '',
    description: "On-disk spool for batches that could not be inserted; '' means ${dataDir}/../spool (outside chDB's directory)",
  }),
  spoolMaxBytes: field(int(0, MAX_INT), {
    default: GiB,
    description: 'Spool size cap; past it new batches are dropped and counted',
  }),
  clickhouseUrl: field(url(true), {
    default: '',
    description: "Remote ClickHouse HTTP URL; '' means the embedded chDB engine",
  }),
  clickhouseUser: field(text, {
    default: 'default',
    description: 'Remote ClickHouse user',
  }),
  clickhousePassword: field(text, {
    default: '', secret: true,
    description: 'Remote ClickHouse password',
  }),
  clickhouseDatabase: field(text, {
    default: 'default',
    description: 'Database holding the activity tables',
  }),
  // Least privilege: the service's ClickHouse user needs only INSERT and SELECT when someone else owns the schema.
  migrate: field(bool, {
    default: true,
    description: 'Apply the schema migrations at start; false for a ClickHouse user allowed only INSERT and SELECT, the schema applied by `otel-activity migrate` under a DDL user',
  }),
  clickhouseCompression: field(bool, {
    default: true,
    description: 'gzip request bodies to remote ClickHouse',
  }),
  retentionDays: field(int(1, 36_500), {
    default: 90,
    description: 'Raw rows are deleted after this many days (TTL)',
  }),
  rollupRetentionDays: field(int(1, 36_500), {
    default: 730,
    description: 'Rollup rows are deleted after this many days (TTL)',
  }),
});

export const SERVICE_SECTION = section('service', {
  host: field(text, {
    default: '127.0.0.1',
    description: '`otel-activity serve` listen address',
  }),
  port: field(int(0, 65535), {
    default: 4318,
    description: '`otel-activity serve` listen port (OTLP/HTTP /v1/traces)',
  }),
  ingestToken: field(text, {
    default: '', secret: true,
    description: "Bearer token required on /v1/traces; '' means none",
  }),
  adminToken: field(text, {
    default: '', secret: true,
    description: "Bearer token for admin operations (/api/admin/*, alert ack) and all the viewer token reads; generated when ''",
  }),
  viewerToken: field(text, {
    default: '', secret: true,
    description: "Bearer token for the dashboard, reports and read-only /api/query (no admin operations); '' means none",
  }),
  sessionIdleMinutes: field(int(1, 1440), {
    default: 15,
    description: 'The dashboard shows a session as idle once its last request is this many minutes old (active before)',
  }),
  sessionExpiringMinutes: field(int(1, 1440), {
    default: 25,
    description: 'The dashboard shows a session as about to expire once its last request is this many minutes old',
  }),
  queryMaxExecutionSeconds: field(int(1, 3600), {
    default: 10,
    description: '/api/query statements are stopped after this many seconds (max_execution_time)',
  }),
  queryMaxResultRows: field(int(1, 100_000_000), {
    default: 100_000,
    description: '/api/query statements returning more rows fail (max_result_rows)',
  }),
  queryMaxResultBytes: field(int(1024, 4 * GiB), {
    default: 32 * MiB,
    description: '/api/query statements returning more bytes fail (max_result_bytes), so a result never holds the event loop long',
  }),
  queryMaxMemoryBytes: field(int(1 * MiB, 64 * GiB), {
    default: GiB,
    description: 'Engine memory one /api/query statement may use (max_memory_usage)',
  }),
  dedupRecentSpanIds: field(int(0, 100_000_000), {
    default: 1_000_000,
    description: 'Span ids the service remembers (about 20 MB per million) so a resent request or a span sent twice is stored once; 0 disables',
  }),
  maxBodyBytes: field(int(1024, 1024 * MiB), {
    default: 16 * MiB,
    description: 'Largest accepted request body, after decompression',
  }),
  bodyBudgetBytes: field(int(1024, 64 * GiB), {
    default: 64 * MiB,
    description: 'Bytes of OTLP request bodies held at once, raw and inflated, until answered (at least twice the max body size); past it new requests get 429 before their body is read',
  }),
  // 'journal' lets senders go on without waiting for the engine's insert (its fixed cost is paid per batch, not per
  // request wait), at the price of rows becoming queryable only once the queue has inserted them (2-5 s after the
  // answer at full load in bench/RESULTS.md).
  ackAfter: field(oneOf(['insert', 'journal']), {
    default: 'insert',
    description: "When /v1/traces answers 200: 'insert' once the rows are inserted (or spooled), 'journal' once they are fsync'd to a journal in the spool directory (inserted in the same batches moments later; replayed after a crash)",
  }),
  retryAfterSeconds: field(int(0, 3600), {
    default: 2,
    description: 'Retry-After sent with 429/503 when the queue is full',
  }),
  // Bounds the decoded spans held in memory, and tells senders the service is saturated instead of letting their
  // requests queue.
  maxConcurrentRequests: field(int(1, 100_000), {
    default: 32,
    description: 'OTLP requests decoded or waiting for their commit at once; more are answered 429 with Retry-After',
  }),
  // Load shedding (exporter/service/overload-guard.ts). Default 1000: at full closed-loop ingest on 2 cores one flush
  // (row text, GC) already holds the thread 250–430 ms (bench/RESULTS.md), which is not overload.
  maxEventLoopDelayMs: field(int(0, 60_000), {
    default: 1000,
    description: 'While the event loop runs this late, new OTLP requests are answered 429 before they are decoded; 0 disables',
  }),
  maxJsMemoryBytes: field(int(0, 64 * GiB), {
    default: GiB,
    description: 'While the JS heap and buffers hold this much, new OTLP requests are answered 429; 0 disables',
  }),
  alertIntervalMs: field(int(0, 86_400_000), {
    default: 60_000,
    description: 'How often alert rules run; 0 disables them',
  }),
  alertWebhookUrl: field(url(true), {
    default: '',
    description: "Alerts are POSTed here as JSON; '' means log only",
  }),
  alertThresholds: field(numberMap, {
    default: {},
    description: 'Alert rule name → threshold, merged over the built-in defaults',
  }),
});
