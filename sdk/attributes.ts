/**
 * Every span attribute name otel-activity reads or writes, defined once.
 * OTel semantic-convention names where one exists; everything of ours lives under `activity.`.
 */
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';

// Stable HTTP / URL / client conventions (re-exported so the rest of the code imports from one place).
export {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
};

// Development-status conventions. The semconv package asks users to copy incubating names rather than
// import `/incubating` at run time (it is large and unstable), so they are spelled out here.
export const ATTR_USER_ID = 'user.id';
export const ATTR_SESSION_ID = 'session.id';
export const ATTR_HTTP_REQUEST_BODY_SIZE = 'http.request.body.size';
export const ATTR_HTTP_RESPONSE_BODY_SIZE = 'http.response.body.size';
export const ATTR_ERROR_MESSAGE = 'error.message';
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = 'deployment.environment.name';
export const ATTR_HOST_NAME = 'host.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** Input tokens read from the provider's prompt cache (part of input_tokens, priced lower). */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** Input tokens written to the provider's prompt cache (part of input_tokens, priced higher by Anthropic). */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** Reasoning ("thinking") tokens, part of output_tokens. */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** Deprecated predecessor of gen_ai.provider.name, still sent by older GenAI instrumentations. */
export const ATTR_GEN_AI_SYSTEM_LEGACY = 'gen_ai.system';

// Read by the exporter's mappers only: the exception event (recordException) and names older instrumentations
// still emit (semconv before the 1.23 HTTP stabilisation, and the pre-1.27 environment key).
export const EVENT_EXCEPTION = 'exception';
export const ATTR_EXCEPTION_MESSAGE = 'exception.message';
export const ATTR_DEPLOYMENT_ENVIRONMENT_LEGACY = 'deployment.environment';
export const ATTR_HTTP_METHOD_LEGACY = 'http.method';
export const ATTR_HTTP_STATUS_CODE_LEGACY = 'http.status_code';
/** Path and query of the request; only its path part is read (the query is unredacted). */
export const ATTR_HTTP_TARGET_LEGACY = 'http.target';
export const ATTR_HTTP_URL_LEGACY = 'http.url';

// Ours. `activity.kind` is what the exporter routes on: one kind, one table.
export const ATTR_ACTIVITY_KIND = 'activity.kind';
export type ActivityKind = 'access' | 'auth' | 'external' | 'custom';

/** Auth event name: signup, login, logout, login_failed, token_refresh, password_reset. */
export const ATTR_ACTIVITY_AUTH_EVENT = 'activity.auth.event';
export const AUTH_EVENTS = ['signup', 'login', 'logout', 'login_failed', 'token_refresh', 'password_reset'] as const;
export type AuthEvent = (typeof AUTH_EVENTS)[number];
export const ATTR_ACTIVITY_AUTH_SUCCESS = 'activity.auth.success';
/** How the user authenticated: password, oauth, magic_link, api_key … (free text). */
export const ATTR_ACTIVITY_AUTH_METHOD = 'activity.auth.method';
/** Why an auth event failed (free text, never a secret). */
export const ATTR_ACTIVITY_AUTH_REASON = 'activity.auth.reason';

/** Parsed user agent (the original stays in `user_agent.original`). */
export const ATTR_ACTIVITY_UA_BROWSER = 'activity.user_agent.browser';
export const ATTR_ACTIVITY_UA_OS = 'activity.user_agent.os';
/** desktop | mobile | tablet | bot | unknown */
export const ATTR_ACTIVITY_UA_DEVICE_TYPE = 'activity.user_agent.device_type';

/** External call: the service called (openai, gemini, anthropic, supabase, or the host when unmapped). */
export const ATTR_ACTIVITY_EXTERNAL_SERVICE = 'activity.external.service';
/** What an external row stands for: `usage` for recordUsage() with no call around it (no status, no error rate). */
export const ATTR_ACTIVITY_EXTERNAL_CALL = 'activity.external.call';
/** Cost of an external call in USD (reported by the caller, or computed from tokens and the price table). */
export const ATTR_ACTIVITY_COST_USD = 'activity.cost.usd';
/** Where the token counts came from: `response` (read from the LLM API's response body) or `app` (recordUsage). */
export const ATTR_ACTIVITY_USAGE_SOURCE = 'activity.usage.source';
/** How the cost was found: `reported` (the app passed it) or `price_table` (tokens × price); lets a reprice skip the reported. */
export const ATTR_ACTIVITY_COST_SOURCE = 'activity.cost.source';

/** Custom activities (the seeds' action / resource_type / resource_id / details). */
export const ATTR_ACTIVITY_ACTION = 'activity.action';
export const ATTR_ACTIVITY_RESOURCE_TYPE = 'activity.resource.type';
export const ATTR_ACTIVITY_RESOURCE_ID = 'activity.resource.id';
/** JSON text. */
export const ATTR_ACTIVITY_DETAILS = 'activity.details';
