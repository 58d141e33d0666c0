/**
 * The SDK's options, written once: the `sdk` section of the config (file key `sdk`, variables OTEL_ACTIVITY_*), each
 * with its kind (which is also its validation), default and meaning. Its type (SdkConfig) is inferred from it; the
 * loader, the README and `otel-activity config` read it. The server's own sections live in the server package.
 */
import { AUTH_EVENTS } from '../attributes';
export { CONFIG_FILE_ENV } from './config-fields';
import { bool, decimal, field, integer as int, list, oneOf, priceMap, section, stringMap, text, url } from './config-fields';
import { configTable, describeFields } from './config-table';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];
const AUTH_ROUTE_KEY = new RegExp(`^(${HTTP_METHODS.join('|')}) /\\S*$`);

function checkAuthRoutes(value: Readonly<Record<string, string>>): string | undefined {
  for (const [route, event] of Object.entries(value)) {
    if (!AUTH_ROUTE_KEY.test(route)) return `has key "${route}"; keys are "METHOD /path", e.g. "POST /api/users/login"`;
    if (!(AUTH_EVENTS as readonly string[]).includes(event)) {
      return `maps "${route}" to "${event}"; events are ${AUTH_EVENTS.join(', ')}`;
    }
  }
  return undefined;
}

/** What OTEL_PROPAGATORS may name (the values the OTel spec lists that have an official JS package). */
export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'none'] as const;

function checkPropagators(value: readonly string[]): string | undefined {
  const bad = value.find((p) => !(PROPAGATORS as readonly string[]).includes(p.toLowerCase()));
  return bad === undefined ? undefined : `has "${bad}"; propagators are ${PROPAGATORS.join(', ')}`;
}

function checkBodyField(value: string): string | undefined {
  return value === '' || value.split('.').every((part) => part !== '') ? undefined : `is "${value}"; use a field name or a dotted path like user.email`;
}

function checkRouteTemplates(value: readonly string[]): string | undefined {
  const bad = value.find((t) => !t.startsWith('/'));
  return bad === undefined ? undefined : `has "${bad}"; templates are paths starting with /, e.g. /api/articles/:slug`;
}

function checkMethods(value: readonly string[]): string | undefined {
  const bad = value.find((m) => !HTTP_METHODS.includes(m.toUpperCase()));
  return bad === undefined ? undefined : `has "${bad}"; methods are ${HTTP_METHODS.join(', ')}`;
}

/**
 * The `sdk` section: one valibot schema per option. valibot because it is small, has no dependencies and is
 * tree-shakable, which matters for an SDK loaded at every app's start (the kinds are in config-fields.ts).
 */
export const SDK_SECTION = section('sdk', {
  serviceName: field(text, {
    default: '', standardEnv: ['OTEL_SERVICE_NAME'],
    description: "service.name; '' means the app's package.json name",
  }),
  serviceVersion: field(text, {
    default: '',
    description: "service.version; '' means the app's package.json version",
  }),
  environment: field(text, {
    default: '',
    description: "deployment.environment.name; '' means NODE_ENV when set",
  }),
  exportMode: field(oneOf(['otlp', 'inprocess', 'console', 'none']), {
    default: 'otlp', env: 'OTEL_ACTIVITY_EXPORT', standardEnv: ['OTEL_TRACES_EXPORTER'],
    description: 'otlp: OTLP/HTTP to otlpEndpoint; inprocess: straight to ClickHouse from the app; console: print spans; none: no export',
  }),
  otlpEndpoint: field(url(false), {
    default: 'http://127.0.0.1:4318', standardEnv: ['OTEL_EXPORTER_OTLP_ENDPOINT'],
    description: 'OTLP/HTTP base URL; spans go to ${otlpEndpoint}/v1/traces',
  }),
  otlpHeaders: field(stringMap, {
    default: {}, standardEnv: ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_HEADERS'], secret: true,
    description: 'Extra OTLP request headers, key=value,key=value (e.g. authorization=Bearer%20TOKEN)',
  }),
  otlpProtocol: field(oneOf(['http/protobuf', 'http/json', 'grpc']), {
    default: 'http/protobuf', standardEnv: ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
    description: 'OTLP/HTTP encoding: http/protobuf (half the bytes of JSON, less work per span) or http/json; grpc is not supported: warned about once, http/protobuf is used',
  }),
  otlpTracesEndpoint: field(url(true), {
    default: '', standardEnv: ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'],
    description: "The full URL spans are POSTed to, used as given (the OTel spec's per-signal endpoint); '' means ${otlpEndpoint}/v1/traces",
  }),
  propagators: field(list, {
    default: ['tracecontext', 'baggage'], standardEnv: ['OTEL_PROPAGATORS'], check: checkPropagators, normalise: (names) => names.map((p) => p.toLowerCase()),
    description: `Context propagation formats, read and written on every request: ${PROPAGATORS.join(', ')}`,
  }),
  strict: field(bool, {
    default: false,
    description: 'Stop the app (exit 78) on a bad SDK setting, instead of warning once and using that setting\'s default',
  }),
  bufferDir: field(text, {
    default: '',
    description: "Where the app keeps spans it could not send yet (service down, process exiting), sent in order later, also by the next start; '' means ${tmpdir}/otel-activity/<service.name>; unwritable: memory only",
  }),
  bufferMaxBytes: field(int(0, 64 * GiB), {
    default: 256 * MiB,
    description: 'Disk the unsent-span buffer may use; past it new batches are dropped and counted (getActivityStats().bufferDropped)',
  }),
  sampleRate: field(decimal(0, 1), {
    default: 1,
    description: 'Share of successful access spans kept; errors, auth, external and custom spans are always kept',
  }),
  skipPaths: field(list, {
    default: ['/health', '/healthz', '/ready', '/live', '/metrics', '/favicon.ico',
      '*.css', '*.js', '*.map', '*.png', '*.jpg', '*.svg', '*.ico', '*.woff', '*.woff2'],
    description: 'Paths not tracked: exact (/health), prefix (/static/) or glob (*.css, /assets/*)',
  }),
  methods: field(list, {
    default: [], check: checkMethods, normalise: (methods) => methods.map((m) => m.toUpperCase()),
    description: 'HTTP methods tracked; empty means all',
  }),
  authenticatedOnly: field(bool, {
    default: false,
    description: 'Drop access spans of requests with no user.id (auth, external and custom spans are kept)',
  }),
  redactQueryParams: field(list, {
    default: ['token', 'access_token', 'password', 'passwd', 'secret', 'api_key', 'apikey', 'key', 'code',
      'signature', 'sig', 'auth', 'session'],
    description: 'Query parameter names (case-insensitive) whose values become REDACTED',
  }),
  ipMode: field(oneOf(['anonymize', 'full', 'drop']), {
    default: 'anonymize',
    description: 'client.address: anonymize (IPv4 /24, IPv6 /48), full, or drop',
  }),
  trustProxy: field(bool, {
    default: false,
    description: 'Take the client address from the first X-Forwarded-For hop (only behind a proxy you trust)',
  }),
  userAgentMaxLength: field(int(16, 65536), {
    default: 512,
    description: 'user_agent.original is cut to this many characters',
  }),
  authRoutes: field(stringMap, {
    default: {}, check: checkAuthRoutes,
    description: 'JSON {"POST /api/users/login": "login"}: requests that are auth events; success from status < 400',
  }),
  identifyJwtClaim: field(text, {
    default: 'sub',
    description: "Claim of an Authorization: Bearer|Token JWT taken as user.id when the app sets none (signature NOT verified: attribution, not authentication); '' disables",
  }),
  sessionCookies: field(list, {
    default: ['connect.sid', 'sessionid', 'session_id', 'session', 'sid'],
    description: 'Cookie names (case-insensitive, first listed wins) whose value becomes session.id when the app sets none, stored as sha256 (32 hex), never raw; empty disables',
  }),
  authAccountField: field(text, {
    default: '', check: checkBodyField,
    description: "On auth routes, the JSON request-body field (dotted path, e.g. user.email) naming the account tried, as the auth event's user.id; first 16 KiB only, nothing else of the body is kept; '' disables",
  }),
  externalServices: field(stringMap, {
    default: {},
    description: 'Host (exact or *.suffix), optionally with :port and a /path prefix → service name (127.0.0.1:4000 → litellm), merged over the built-in map (api.openai.com → openai …)',
  }),
  modelPrices: field(priceMap, {
    default: {},
    description: 'JSON {"model": {"inputPerMillion": 2.5, "outputPerMillion": 10}} (USD; key may end in * for a prefix), merged over the built-in table',
  }),
  captureLlmUsage: field(bool, {
    default: true,
    description: 'Read model and token usage (never content) from the responses of LLM API endpoints (chat/completions, responses, embeddings, messages, generateContent)',
  }),
  attributeMaxLength: field(int(64, 1048576), {
    default: 4096,
    description: 'Upper bound for any string attribute we set',
  }),
  routes: field(list, {
    default: [], check: checkRouteTemplates,
    description: 'Route templates for paths no framework route names, e.g. /api/articles/:slug,/files/*: :name is one segment, * one segment or (last) the rest; the most specific wins; before the id heuristic',
  }),
  maxRoutes: field(int(0, 1_000_000), {
    default: 1000,
    description: 'Distinct http.route values per process; past it a new route is stored as (other) and counted (getActivityStats().routesFolded); 0: no bound',
  }),
});

/** The SDK's options, in the order the README and `otel-activity config` list them. */
export const CONFIG_FIELDS = SDK_SECTION.fields;

/** One row per SDK option, for `otel-activity config` and the README. */
export function describeConfig() {
  return describeFields(CONFIG_FIELDS);
}

/** The SDK's options as a Markdown table. */
export function configTableMarkdown(): string {
  return configTable(CONFIG_FIELDS);
}
