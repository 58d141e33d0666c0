/**
 * The one table of every config option: where it lives in ActivityConfig, its environment variable, its
 * type (which is also its validation) and its default. The loader, the README and the CLI all read it.
 */
import { AUTH_EVENTS } from '../attributes';

export type ConfigSection = 'sdk' | 'exporter' | 'service';

export type FieldType =
  | { readonly kind: 'string' }
  /** An http(s) URL; `allowEmpty` when '' means "off". */
  | { readonly kind: 'url'; readonly allowEmpty: boolean }
  | { readonly kind: 'number'; readonly min: number; readonly max: number; readonly integer: boolean }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  /** Env: comma-separated or a JSON array. */
  | { readonly kind: 'stringList' }
  /** Env: a JSON object or `key=value,key=value` (the OTEL_EXPORTER_OTLP_HEADERS format). */
  | { readonly kind: 'stringMap' }
  | { readonly kind: 'numberMap' }
  /** Env: a JSON object only: {"model": {"inputPerMillion": 2.5, "outputPerMillion": 10}}. */
  | { readonly kind: 'priceMap' };

export interface ConfigField {
  readonly section: ConfigSection;
  readonly key: string;
  /** OTEL_ACTIVITY_<UPPER_SNAKE of key>, except sdk.exportMode → OTEL_ACTIVITY_EXPORT. */
  readonly env: string;
  /** Standard OTel variables read, first set wins, when the OTEL_ACTIVITY_ one is not set (per-signal before generic). */
  readonly standardEnv?: readonly string[];
  readonly type: FieldType;
  readonly default: unknown;
  readonly description: string;
  /** Never printed in full (describeConfig shows it as set / not set). */
  readonly secret?: boolean;
  /** Extra validation after the type check: returns what is wrong, or undefined. */
  readonly check?: (value: unknown) => string | undefined;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const MAX_INT = Number.MAX_SAFE_INTEGER;

const str = { kind: 'string' } as const;
const bool = { kind: 'boolean' } as const;
const list = { kind: 'stringList' } as const;
const int = (min: number, max: number): FieldType => ({ kind: 'number', min, max, integer: true });

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];
const AUTH_ROUTE_KEY = new RegExp(`^(${HTTP_METHODS.join('|')}) /\\S*$`);

function checkAuthRoutes(value: unknown): string | undefined {
  for (const [route, event] of Object.entries(value as Record<string, string>)) {
    if (!AUTH_ROUTE_KEY.test(route)) return `has key "${route}"; keys are "METHOD /path", e.g. "POST /api/users/login"`;
    if (!(AUTH_EVENTS as readonly string[]).includes(event)) {
      return `maps "${route}" to "${event}"; events are ${AUTH_EVENTS.join(', ')}`;
    }
  }
  return undefined;
}

/** What OTEL_PROPAGATORS may name (the values the OTel spec lists that have an official JS package). */
export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'none'] as const;

function checkPropagators(value: unknown): string | undefined {
  const bad = (value as string[]).find((p) => !(PROPAGATORS as readonly string[]).includes(p.toLowerCase()));
  return bad === undefined ? undefined : `has "${bad}"; propagators are ${PROPAGATORS.join(', ')}`;
}

function checkBodyField(value: unknown): string | undefined {
  const field = value as string;
  return field === '' || field.split('.').every((part) => part !== '') ? undefined : `is "${field}"; use a field name or a dotted path like user.email`;
}

function checkRouteTemplates(value: unknown): string | undefined {
  const bad = (value as string[]).find((t) => !t.startsWith('/'));
  return bad === undefined ? undefined : `has "${bad}"; templates are paths starting with /, e.g. /api/articles/:slug`;
}

function checkMethods(value: unknown): string | undefined {
  const bad = (value as string[]).find((m) => !HTTP_METHODS.includes(m.toUpperCase()));
  return bad === undefined ? undefined : `has "${bad}"; methods are ${HTTP_METHODS.join(', ')}`;
}

export const CONFIG_FIELDS: readonly ConfigField[] = [
  // sdk
  { section: 'sdk', key: 'serviceName', env: 'OTEL_ACTIVITY_SERVICE_NAME', standardEnv: ['OTEL_SERVICE_NAME'], type: str, default: '',
    description: "service.name; '' means the app's package.json name" },
  { section: 'sdk', key: 'serviceVersion', env: 'OTEL_ACTIVITY_SERVICE_VERSION', type: str, default: '',
    description: "service.version; '' means the app's package.json version" },
  { section: 'sdk', key: 'environment', env: 'OTEL_ACTIVITY_ENVIRONMENT', type: str, default: '',
    description: "deployment.environment.name; '' means NODE_ENV when set" },
  { section: 'sdk', key: 'exportMode', env: 'OTEL_ACTIVITY_EXPORT', standardEnv: ['OTEL_TRACES_EXPORTER'],
    type: { kind: 'enum', values: ['otlp', 'inprocess', 'console', 'none'] }, default: 'otlp',
    description: 'otlp: OTLP/HTTP to otlpEndpoint; inprocess: straight to ClickHouse from the app; console: print spans; none: no export' },
  { section: 'sdk', key: 'otlpEndpoint', env: 'OTEL_ACTIVITY_OTLP_ENDPOINT', standardEnv: ['OTEL_EXPORTER_OTLP_ENDPOINT'],
    type: { kind: 'url', allowEmpty: false }, default: 'http://127.0.0.1:4318',
    description: 'OTLP/HTTP base URL; spans go to ${otlpEndpoint}/v1/traces' },
  { section: 'sdk', key: 'otlpHeaders', env: 'OTEL_ACTIVITY_OTLP_HEADERS', standardEnv: ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_HEADERS'],
    type: { kind: 'stringMap' }, default: {}, secret: true,
    description: 'Extra OTLP request headers, key=value,key=value (e.g. authorization=Bearer%20TOKEN)' },
  { section: 'sdk', key: 'otlpProtocol', env: 'OTEL_ACTIVITY_OTLP_PROTOCOL', standardEnv: ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    type: { kind: 'enum', values: ['http/protobuf', 'http/json', 'grpc'] }, default: 'http/protobuf',
    description: 'OTLP/HTTP encoding: http/protobuf (half the bytes of JSON, less work per span) or http/json; grpc is not supported: warned about once, http/protobuf is used' },
  { section: 'sdk', key: 'otlpTracesEndpoint', env: 'OTEL_ACTIVITY_OTLP_TRACES_ENDPOINT', standardEnv: ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'],
    type: { kind: 'url', allowEmpty: true }, default: '',
    description: "The full URL spans are POSTed to, used as given (the OTel spec's per-signal endpoint); '' means ${otlpEndpoint}/v1/traces" },
  { section: 'sdk', key: 'propagators', env: 'OTEL_ACTIVITY_PROPAGATORS', standardEnv: ['OTEL_PROPAGATORS'], type: list,
    default: ['tracecontext', 'baggage'], check: checkPropagators,
    description: `Context propagation formats, read and written on every request: ${PROPAGATORS.join(', ')}` },
  { section: 'sdk', key: 'strict', env: 'OTEL_ACTIVITY_STRICT', type: bool, default: false,
    description: 'Stop the app (exit 78) on a bad SDK setting, instead of warning once and using that setting\'s default' },
  { section: 'sdk', key: 'bufferDir', env: 'OTEL_ACTIVITY_BUFFER_DIR', type: str, default: '',
    description: "Where the app keeps spans it could not send yet (service down, process exiting), sent in order later, also by the next start; '' means ${tmpdir}/otel-activity/<service.name>; unwritable: memory only" },
  { section: 'sdk', key: 'bufferMaxBytes', env: 'OTEL_ACTIVITY_BUFFER_MAX_BYTES', type: int(0, 64 * GiB), default: 256 * MiB,
    description: 'Disk the unsent-span buffer may use; past it new batches are dropped and counted (getActivityStats().bufferDropped)' },
  { section: 'sdk', key: 'sampleRate', env: 'OTEL_ACTIVITY_SAMPLE_RATE', type: { kind: 'number', min: 0, max: 1, integer: false }, default: 1,
    description: 'Share of successful access spans kept; errors, auth, external and custom spans are always kept' },
  { section: 'sdk', key: 'skipPaths', env: 'OTEL_ACTIVITY_SKIP_PATHS', type: list,
    default: ['/health', '/healthz', '/ready', '/live', '/metrics', '/favicon.ico',
      '*.css', '*.js', '*.map', '*.png', '*.jpg', '*.svg', '*.ico', '*.woff', '*.woff2'],
    description: 'Paths not tracked: exact (/health), prefix (/static/) or glob (*.css, /assets/*)' },
  { section: 'sdk', key: 'methods', env: 'OTEL_ACTIVITY_METHODS', type: list, default: [], check: checkMethods,
    description: 'HTTP methods tracked; empty means all' },
  { section: 'sdk', key: 'authenticatedOnly', env: 'OTEL_ACTIVITY_AUTHENTICATED_ONLY', type: bool, default: false,
    description: 'Drop access spans of requests with no user.id (auth, external and custom spans are kept)' },
  { section: 'sdk', key: 'redactQueryParams', env: 'OTEL_ACTIVITY_REDACT_QUERY_PARAMS', type: list,
    default: ['token', 'access_token', 'password', 'passwd', 'secret', 'api_key', 'apikey', 'key', 'code',
      'signature', 'sig', 'auth', 'session'],
    description: 'Query parameter names (case-insensitive) whose values become REDACTED' },
  { section: 'sdk', key: 'ipMode', env: 'OTEL_ACTIVITY_IP_MODE', type: { kind: 'enum', values: ['anonymize', 'full', 'drop'] }, default: 'anonymize',
    description: 'client.address: anonymize (IPv4 /24, IPv6 /48), full, or drop' },
  { section: 'sdk', key: 'trustProxy', env: 'OTEL_ACTIVITY_TRUST_PROXY', type: bool, default: false,
    description: 'Take the client address from the first X-Forwarded-For hop (only behind a proxy you trust)' },
  { section: 'sdk', key: 'userAgentMaxLength', env: 'OTEL_ACTIVITY_USER_AGENT_MAX_LENGTH', type: int(16, 65536), default: 512,
    description: 'user_agent.original is cut to this many characters' },
  { section: 'sdk', key: 'authRoutes', env: 'OTEL_ACTIVITY_AUTH_ROUTES', type: { kind: 'stringMap' }, default: {}, check: checkAuthRoutes,
    description: 'JSON {"POST /api/users/login": "login"}: requests that are auth events; success from status < 400' },
  { section: 'sdk', key: 'identifyJwtClaim', env: 'OTEL_ACTIVITY_IDENTIFY_JWT_CLAIM', type: str, default: 'sub',
    description: "Claim of an Authorization: Bearer|Token JWT taken as user.id when the app sets none (signature NOT verified: attribution, not authentication); '' disables" },
  { section: 'sdk', key: 'sessionCookies', env: 'OTEL_ACTIVITY_SESSION_COOKIES', type: list,
    default: ['connect.sid', 'sessionid', 'session_id', 'session', 'sid'],
    description: 'Cookie names (case-insensitive, first listed wins) whose value becomes session.id when the app sets none, stored as sha256 (32 hex), never raw; empty disables' },
  { section: 'sdk', key: 'authAccountField', env: 'OTEL_ACTIVITY_AUTH_ACCOUNT_FIELD', type: str, default: '', check: checkBodyField,
    description: "On auth routes, the JSON request-body field (dotted path, e.g. user.email) naming the account tried, as the auth event's user.id; first 16 KiB only, nothing else of the body is kept; '' disables" },
  { section: 'sdk', key: 'externalServices', env: 'OTEL_ACTIVITY_EXTERNAL_SERVICES', type: { kind: 'stringMap' }, default: {},
    description: 'Host (exact or *.suffix), optionally with :port and a /path prefix → service name (127.0.0.1:4000 → litellm), merged over the built-in map (api.openai.com → openai …)' },
  { section: 'sdk', key: 'modelPrices', env: 'OTEL_ACTIVITY_MODEL_PRICES', type: { kind: 'priceMap' }, default: {},
    description: 'JSON {"model": {"inputPerMillion": 2.5, "outputPerMillion": 10}} (USD; key may end in * for a prefix), merged over the built-in table' },
  { section: 'sdk', key: 'captureLlmUsage', env: 'OTEL_ACTIVITY_CAPTURE_LLM_USAGE', type: bool, default: true,
    description: 'Read model and token usage (never content) from the responses of LLM API endpoints (chat/completions, responses, embeddings, messages, generateContent)' },
  { section: 'sdk', key: 'attributeMaxLength', env: 'OTEL_ACTIVITY_ATTRIBUTE_MAX_LENGTH', type: int(64, 1048576), default: 4096,
    description: 'Upper bound for any string attribute we set' },
  { section: 'sdk', key: 'routes', env: 'OTEL_ACTIVITY_ROUTES', type: list, default: [], check: checkRouteTemplates,
    description: 'Route templates for paths no framework route names, e.g. /api/articles/:slug,/files/*: :name is one segment, * one segment or (last) the rest; the most specific wins; before the id heuristic' },
  { section: 'sdk', key: 'maxRoutes', env: 'OTEL_ACTIVITY_MAX_ROUTES', type: int(0, 1_000_000), default: 1000,
    description: 'Distinct http.route values per process; past it a new route is stored as (other) and counted (getActivityStats().routesFolded); 0: no bound' },

  // exporter
  { section: 'exporter', key: 'flushCount', env: 'OTEL_ACTIVITY_FLUSH_COUNT', type: int(1, 10_000_000), default: 5000,
    description: 'Insert a batch once this many rows are queued …' },
  { section: 'exporter', key: 'flushIntervalMs', env: 'OTEL_ACTIVITY_FLUSH_INTERVAL_MS', type: int(10, 3_600_000), default: 1000,
    description: '… or after this many milliseconds, whichever comes first' },
  { section: 'exporter', key: 'maxQueueRows', env: 'OTEL_ACTIVITY_MAX_QUEUE_ROWS', type: int(1, 100_000_000), default: 100_000,
    description: 'Rows held in memory at most; past it rows are dropped (access first, auth last) and counted' },
  { section: 'exporter', key: 'maxQueueBytes', env: 'OTEL_ACTIVITY_MAX_QUEUE_BYTES', type: int(1024, MAX_INT), default: 64 * MiB,
    description: 'Bytes held in memory at most (approximate)' },
  { section: 'exporter', key: 'maxRetries', env: 'OTEL_ACTIVITY_MAX_RETRIES', type: int(0, 1000), default: 8,
    description: 'Insert attempts before a batch goes to the spool' },
  { section: 'exporter', key: 'retryInitialMs', env: 'OTEL_ACTIVITY_RETRY_INITIAL_MS', type: int(1, 3_600_000), default: 200,
    description: 'First retry delay (exponential backoff with jitter)' },
  { section: 'exporter', key: 'retryMaxMs', env: 'OTEL_ACTIVITY_RETRY_MAX_MS', type: int(1, 3_600_000), default: 30_000,
    description: 'Longest retry delay' },
  { section: 'exporter', key: 'dataDir', env: 'OTEL_ACTIVITY_DATA_DIR', type: str, default: './.otel-activity/data',
    description: 'Embedded chDB data directory (one process per directory)' },
  { section: 'exporter', key: 'spoolDir', env: 'OTEL_ACTIVITY_SPOOL_DIR', type: str, default: '',
    description: "On-disk spool for batches that could not be inserted; '' means ${dataDir}/../spool (outside chDB's directory)" },
  { section: 'exporter', key: 'spoolMaxBytes', env: 'OTEL_ACTIVITY_SPOOL_MAX_BYTES', type: int(0, MAX_INT), default: GiB,
    description: 'Spool size cap; past it new batches are dropped and counted' },
  { section: 'exporter', key: 'clickhouseUrl', env: 'OTEL_ACTIVITY_CLICKHOUSE_URL', type: { kind: 'url', allowEmpty: true }, default: '',
    description: "Remote ClickHouse HTTP URL; '' means the embedded chDB engine" },
  { section: 'exporter', key: 'clickhouseUser', env: 'OTEL_ACTIVITY_CLICKHOUSE_USER', type: str, default: 'default',
    description: 'Remote ClickHouse user' },
  { section: 'exporter', key: 'clickhousePassword', env: 'OTEL_ACTIVITY_CLICKHOUSE_PASSWORD', type: str, default: '', secret: true,
    description: 'Remote ClickHouse password' },
  { section: 'exporter', key: 'clickhouseDatabase', env: 'OTEL_ACTIVITY_CLICKHOUSE_DATABASE', type: str, default: 'default',
    description: 'Database holding the activity tables' },
  { section: 'exporter', key: 'clickhouseCompression', env: 'OTEL_ACTIVITY_CLICKHOUSE_COMPRESSION', type: bool, default: true,
    description: 'gzip request bodies to remote ClickHouse' },
  { section: 'exporter', key: 'retentionDays', env: 'OTEL_ACTIVITY_RETENTION_DAYS', type: int(1, 36_500), default: 90,
    description: 'Raw rows are deleted after this many days (TTL)' },
  { section: 'exporter', key: 'rollupRetentionDays', env: 'OTEL_ACTIVITY_ROLLUP_RETENTION_DAYS', type: int(1, 36_500), default: 730,
    description: 'Rollup rows are deleted after this many days (TTL)' },

  // service
  { section: 'service', key: 'host', env: 'OTEL_ACTIVITY_HOST', type: str, default: '127.0.0.1',
    description: '`otel-activity serve` listen address' },
  { section: 'service', key: 'port', env: 'OTEL_ACTIVITY_PORT', type: int(0, 65535), default: 4318,
    description: '`otel-activity serve` listen port (OTLP/HTTP /v1/traces)' },
  { section: 'service', key: 'ingestToken', env: 'OTEL_ACTIVITY_INGEST_TOKEN', type: str, default: '', secret: true,
    description: "Bearer token required on /v1/traces; '' means none" },
  { section: 'service', key: 'adminToken', env: 'OTEL_ACTIVITY_ADMIN_TOKEN', type: str, default: '', secret: true,
    description: "Bearer token for admin operations (/api/admin/*, alert ack) and all the viewer token reads; generated when ''" },
  { section: 'service', key: 'viewerToken', env: 'OTEL_ACTIVITY_VIEWER_TOKEN', type: str, default: '', secret: true,
    description: "Bearer token for the dashboard, reports and read-only /api/query (no admin operations); '' means none" },
  { section: 'service', key: 'sessionIdleMinutes', env: 'OTEL_ACTIVITY_SESSION_IDLE_MINUTES', type: int(1, 1440), default: 15,
    description: 'The dashboard shows a session as idle once its last request is this many minutes old (active before)' },
  { section: 'service', key: 'sessionExpiringMinutes', env: 'OTEL_ACTIVITY_SESSION_EXPIRING_MINUTES', type: int(1, 1440), default: 25,
    description: 'The dashboard shows a session as about to expire once its last request is this many minutes old' },
  { section: 'service', key: 'queryMaxExecutionSeconds', env: 'OTEL_ACTIVITY_QUERY_MAX_EXECUTION_SECONDS', type: int(1, 3600), default: 10,
    description: '/api/query statements are stopped after this many seconds (max_execution_time)' },
  { section: 'service', key: 'queryMaxResultRows', env: 'OTEL_ACTIVITY_QUERY_MAX_RESULT_ROWS', type: int(1, 100_000_000), default: 100_000,
    description: '/api/query statements returning more rows fail (max_result_rows)' },
  { section: 'service', key: 'queryMaxResultBytes', env: 'OTEL_ACTIVITY_QUERY_MAX_RESULT_BYTES', type: int(1024, 4 * GiB), default: 32 * MiB,
    description: '/api/query statements returning more bytes fail (max_result_bytes), so a result never holds the event loop long' },
  { section: 'service', key: 'queryMaxMemoryBytes', env: 'OTEL_ACTIVITY_QUERY_MAX_MEMORY_BYTES', type: int(1 * MiB, 64 * GiB), default: GiB,
    description: 'Engine memory one /api/query statement may use (max_memory_usage)' },
  { section: 'service', key: 'dedupRecentSpanIds', env: 'OTEL_ACTIVITY_DEDUP_RECENT_SPAN_IDS', type: int(0, 100_000_000), default: 1_000_000,
    description: 'Span ids the service remembers (about 60 MB per million) so a resent request or a span sent twice is stored once; 0 disables' },
  { section: 'service', key: 'maxBodyBytes', env: 'OTEL_ACTIVITY_MAX_BODY_BYTES', type: int(1024, 1024 * MiB), default: 16 * MiB,
    description: 'Largest accepted request body, after decompression' },
  { section: 'service', key: 'bodyBudgetBytes', env: 'OTEL_ACTIVITY_BODY_BUDGET_BYTES', type: int(1024, 64 * GiB), default: 64 * MiB,
    description: 'Bytes of OTLP request bodies held at once, raw and inflated, until answered (at least twice the max body size); past it new requests get 429 before their body is read' },
  { section: 'service', key: 'retryAfterSeconds', env: 'OTEL_ACTIVITY_RETRY_AFTER_SECONDS', type: int(0, 3600), default: 2,
    description: 'Retry-After sent with 429/503 when the queue is full' },
  { section: 'service', key: 'maxConcurrentRequests', env: 'OTEL_ACTIVITY_MAX_CONCURRENT_REQUESTS', type: int(1, 100_000), default: 32,
    description: 'OTLP requests decoded or waiting for their commit at once; more are answered 429 with Retry-After' },
  { section: 'service', key: 'maxEventLoopDelayMs', env: 'OTEL_ACTIVITY_MAX_EVENT_LOOP_DELAY_MS', type: int(0, 60_000), default: 1000,
    description: 'While the event loop runs this late, new OTLP requests are answered 429 before they are decoded; 0 disables' },
  { section: 'service', key: 'maxJsMemoryBytes', env: 'OTEL_ACTIVITY_MAX_JS_MEMORY_BYTES', type: int(0, 64 * GiB), default: GiB,
    description: 'While the JS heap and buffers hold this much, new OTLP requests are answered 429; 0 disables' },
  { section: 'service', key: 'alertIntervalMs', env: 'OTEL_ACTIVITY_ALERT_INTERVAL_MS', type: int(0, 86_400_000), default: 60_000,
    description: 'How often alert rules run; 0 disables them' },
  { section: 'service', key: 'alertWebhookUrl', env: 'OTEL_ACTIVITY_ALERT_WEBHOOK_URL', type: { kind: 'url', allowEmpty: true }, default: '',
    description: "Alerts are POSTed here as JSON; '' means log only" },
  { section: 'service', key: 'alertThresholds', env: 'OTEL_ACTIVITY_ALERT_THRESHOLDS', type: { kind: 'numberMap' }, default: {},
    description: 'Alert rule name → threshold, merged over the built-in defaults' },
];

/** The variable that names the JSON config file; not a field itself. */
export const CONFIG_FILE_ENV = 'OTEL_ACTIVITY_CONFIG';

export interface ConfigFieldDescription {
  /** Dotted path in the config file, e.g. `sdk.sampleRate`. */
  readonly key: string;
  readonly env: string;
  readonly type: string;
  readonly default: string;
  readonly description: string;
}

function typeName(type: FieldType): string {
  switch (type.kind) {
    case 'number':
      return type.integer ? `integer ${type.min}..${type.max}` : `number ${type.min}..${type.max}`;
    case 'enum':
      return type.values.join(' | ');
    case 'stringList':
      return 'list';
    case 'stringMap':
      return 'map';
    case 'numberMap':
      return 'map of numbers';
    case 'priceMap':
      return 'map of prices';
    default:
      return type.kind;
  }
}

function defaultText(field: ConfigField): string {
  const value = field.default;
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'object' && value !== null) return Object.keys(value).length === 0 ? '{}' : JSON.stringify(value);
  if (value === '') return "''";
  return String(value);
}

/** One row per option, for the README's config table and `otel-activity config`. */
export function describeConfig(): ConfigFieldDescription[] {
  return CONFIG_FIELDS.map((field) => ({
    key: `${field.section}.${field.key}`,
    env: field.standardEnv ? `${field.env} (or ${field.standardEnv.join(', ')})` : field.env,
    type: typeName(field.type),
    default: defaultText(field),
    description: field.description,
  }));
}

/** The config table as Markdown (what the README shows). */
export function configTableMarkdown(): string {
  // Every cell escapes '|': enum types ("anonymize | full | drop") would otherwise split the row.
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = describeConfig().map(
    (d) => `| \`${d.key}\` | \`${d.env}\` | ${cell(d.type)} | \`${cell(d.default)}\` | ${cell(d.description)} |`,
  );
  return ['| key | env | type | default | meaning |', '| --- | --- | --- | --- | --- |', ...rows].join('\n');
}
