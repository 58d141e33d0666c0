/**
 * The typed configuration of otel-activity: every option, for the SDK, the exporter and the service.
 * Loaded and validated once by `loadConfig()` (config-loader.ts) from options, an optional JSON file
 * (OTEL_ACTIVITY_CONFIG) and environment variables; each option's env name is in config-schema.ts.
 */

export type ExportMode = 'otlp' | 'inprocess' | 'console' | 'none';
/** grpc is accepted (apps set it for their own SDK) but sent as http/protobuf, with a warning. */
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export type IpMode = 'anonymize' | 'full' | 'drop';

export interface ModelPrice {
  /** USD per million input tokens. */
  readonly inputPerMillion: number;
  /** USD per million output tokens. */
  readonly outputPerMillion: number;
  /** USD per million input tokens read from the prompt cache; default inputPerMillion. */
  readonly cachedInputPerMillion?: number;
  /** USD per million input tokens written to the prompt cache; default inputPerMillion. */
  readonly cacheWritePerMillion?: number;
  /** USD per million reasoning tokens; default outputPerMillion. */
  readonly reasoningPerMillion?: number;
}

export interface SdkConfig {
  /** service.name; default OTEL_SERVICE_NAME, else the app's package.json name. */
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly environment: string;
  /** Where spans go: OTLP/HTTP to the exporter service (default), the in-process ClickHouse exporter, or nowhere. */
  readonly exportMode: ExportMode;
  /** OTLP/HTTP base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `${endpoint}/v1/traces`. */
  readonly otlpEndpoint: string;
  /** Extra OTLP headers (OTEL_EXPORTER_OTLP_HEADERS), e.g. the ingest token. */
  readonly otlpHeaders: Readonly<Record<string, string>>;
  /** OTLP/HTTP encoding (OTEL_EXPORTER_OTLP_PROTOCOL): protobuf, the spec's default, or JSON. */
  readonly otlpProtocol: OtlpProtocol;
  /** Full traces URL (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), used as given; '' means `${otlpEndpoint}/v1/traces`. */
  readonly otlpTracesEndpoint: string;
  /** OTEL_PROPAGATORS: tracecontext, baggage, b3, b3multi, none. */
  readonly propagators: readonly string[];
  /** Exit on a bad SDK setting instead of warning and using the key's default. */
  readonly strict: boolean;
  /** Unsent spans on disk; '' means `${os.tmpdir()}/otel-activity/<service.name>`. */
  readonly bufferDir: string;
  readonly bufferMaxBytes: number;
  /** 0..1, applies to successful access spans only; errors, auth and external calls are always kept. */
  readonly sampleRate: number;
  /** Paths not tracked: exact, prefix (`/static/`) or glob (`*.css`). */
  readonly skipPaths: readonly string[];
  /** Methods tracked; empty means all. */
  readonly methods: readonly string[];
  readonly authenticatedOnly: boolean;
  /** Query parameter names (case-insensitive) whose values are replaced by REDACTED. */
  readonly redactQueryParams: readonly string[];
  readonly ipMode: IpMode;
  /** Use X-Forwarded-For (first address) for client.address; only safe behind a trusted proxy. */
  readonly trustProxy: boolean;
  readonly userAgentMaxLength: number;
  /** "METHOD /path" → auth event, e.g. {"POST /api/users/login": "login"}. */
  readonly authRoutes: Readonly<Record<string, string>>;
  /** JWT claim (Bearer/Token header) taken as user.id when the app sets none; '' disables. Not verified. */
  readonly identifyJwtClaim: string;
  /** Cookie names (case-insensitive, first listed wins) whose value, hashed, is session.id when the app sets none. */
  readonly sessionCookies: readonly string[];
  /** JSON body field (dotted path, e.g. `user.email`) naming the account on auth routes; '' disables. */
  readonly authAccountField: string;
  /** Host (exact or `*.suffix`) → external service name; merged over the built-in map. */
  readonly externalServices: Readonly<Record<string, string>>;
  /** Model name (exact, or prefix ending in `*`) → price; merged over the built-in table. */
  readonly modelPrices: Readonly<Record<string, ModelPrice>>;
  /** Read model and token usage from the responses of known LLM API endpoints (no content is kept). */
  readonly captureLlmUsage: boolean;
  /** Upper bound for any attribute string value. */
  readonly attributeMaxLength: number;
  /** Route templates (`/api/articles/:slug`, `*`) for paths no framework route names; before the id heuristic. */
  readonly routes: readonly string[];
  /** Distinct http.route values kept per process; past it new ones become `(other)`, counted. 0: no bound. */
  readonly maxRoutes: number;
}

export interface ExporterConfig {
  /** Flush a batch at this many rows … */
  readonly flushCount: number;
  /** … or after this many milliseconds, whichever comes first. */
  readonly flushIntervalMs: number;
  /** Cap on rows held in memory; past it rows are dropped (access first, auth last) and counted. */
  readonly maxQueueRows: number;
  /** Cap on bytes held in memory (approximate, JSON size of rows). */
  readonly maxQueueBytes: number;
  readonly maxRetries: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Embedded chDB data directory (one process per directory). */
  readonly dataDir: string;
  /** On-disk spool; loadConfig() turns '' into `${dataDir}/../spool`, outside chDB's own directory. */
  readonly spoolDir: string;
  /** Cap on spool size on disk; past it new batches are dropped and counted. */
  readonly spoolMaxBytes: number;
  /** Remote ClickHouse; empty means the embedded chDB engine. */
  readonly clickhouseUrl: string;
  readonly clickhouseUser: string;
  readonly clickhousePassword: string;
  readonly clickhouseDatabase: string;
  readonly clickhouseCompression: boolean;
  /** Retention of raw rows and of rollups, in days (applied as TTL by migrations). */
  readonly retentionDays: number;
  readonly rollupRetentionDays: number;
}

export interface ServiceConfig {
  readonly host: string;
  readonly port: number;
  /** Bearer token required on /v1/traces when set. */
  readonly ingestToken: string;
  /** Bearer token for the dashboard, admin API and the local query endpoint. */
  readonly adminToken: string;
  /** Bearer token for the dashboard, reports and read-only POST /api/query; no admin operations. */
  readonly viewerToken: string;
  /** Minutes since a session's last request after which the dashboard shows it idle, then about to expire. */
  readonly sessionIdleMinutes: number;
  readonly sessionExpiringMinutes: number;
  /** Caps on every POST /api/query statement (run with readonly=1 as its own SETTINGS). */
  readonly queryMaxExecutionSeconds: number;
  readonly queryMaxResultRows: number;
  readonly queryMaxResultBytes: number;
  readonly queryMaxMemoryBytes: number;
  /** Span ids remembered so a resent request, or a span twice in one, is stored once (exporter/queue/recent-span-ids.ts); 0 disables. */
  readonly dedupRecentSpanIds: number;
  /** Largest accepted request body, after decompression. */
  readonly maxBodyBytes: number;
  /** Bytes of OTLP bodies held at once while read, inflated and decoded (at least 2 × maxBodyBytes); past it: 429. */
  readonly bodyBudgetBytes: number;
  /** Seconds a sender is told to wait (Retry-After) when the queue is full. */
  readonly retryAfterSeconds: number;
  /**
   * OTLP requests in progress at once (decoded, waiting for their commit). Past it: 429. Bounds the decoded spans
   * held in memory, and tells senders the service is saturated instead of letting their requests queue.
   */
  readonly maxConcurrentRequests: number;
  /**
   * Load shedding (exporter/service/overload-guard.ts): while the event loop runs this many ms late, new OTLP
   * requests are answered 429 before their body is decoded. 0 disables. Default 1000: at full closed-loop ingest on
   * 2 cores one flush (row text, GC) already holds the thread 250–430 ms (bench/RESULTS.md), which is not overload.
   */
  readonly maxEventLoopDelayMs: number;
  /** While the JS heap plus buffers hold this many bytes, new OTLP requests are answered 429. 0 disables. */
  readonly maxJsMemoryBytes: number;
  /** How often alert rules run; 0 disables the schedule. */
  readonly alertIntervalMs: number;
  readonly alertWebhookUrl: string;
  /** Alert rule name → threshold (see schemas/alerts/); merged over the built-in defaults. */
  readonly alertThresholds: Readonly<Record<string, number>>;
}

export interface ActivityConfig {
  readonly sdk: SdkConfig;
  readonly exporter: ExporterConfig;
  readonly service: ServiceConfig;
}
