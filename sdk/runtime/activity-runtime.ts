/**
 * Everything the per-request path needs, prepared once from SdkConfig: compiled skip list, auth routes,
 * query redactor, user-agent parser, service map, price table, plus the user's hooks from `configure()`.
 */
import { trace, type Tracer } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import type { SdkConfig } from '../config/config-types';
import { loadConfig } from '../config/config-loader';
import { createAuthAccountReader, type AuthAccountReader } from '../auth/auth-account';
import { compileAuthRoutes, type AuthRouteMatcher } from '../auth/auth-routes';
import { createServiceMap, type ServiceResolver } from '../external/service-map';
import { createPriceTable, type PriceLookup } from '../external/price-table';
import { createAccessRouteResolver, type AccessRouteResolver } from '../request/access-route';
import { createQueryRedactor, type QueryRedactor } from '../request/redact-query';
import { compileSkipList, type PathMatcher } from '../request/skip-list';
import { createUserAgentParser, type UserAgentParser } from '../request/user-agent';
import { propagationHeaders } from '../setup/propagators';
import { createTokenUserReader, type TokenUserReader } from '../user/jwt-claim';
import { createSessionCookieReader, type SessionCookieReader } from '../user/session-cookie';

/** Who made a request: from `setUser()` in a handler or the `identify(req)` hook. */
export interface UserIdentity {
  readonly id?: string;
  readonly sessionId?: string;
}

export interface ActivityHooks {
  /**
   * Called once per tracked request (at its end, or at its first external call or auth event, whichever is
   * first), after your middleware has run, so `req.user` or a session is there. A throw is caught and counted.
   */
  readonly identify?: (request: IncomingMessage) => UserIdentity | undefined | null;
}

export const TRACER_NAME = 'otel-activity';

export interface ActivityRuntime {
  readonly config: SdkConfig;
  readonly tracer: Tracer;
  readonly skipPath: PathMatcher;
  /** Undefined means every method is tracked. */
  readonly methods: ReadonlySet<string> | undefined;
  readonly redactQuery: QueryRedactor;
  readonly parseUserAgent: UserAgentParser;
  readonly authRouteOf: AuthRouteMatcher;
  /** http.route of an access span: framework route, configured templates, heuristic; bounded by maxRoutes. */
  readonly routeOf: AccessRouteResolver;
  /** Config-derived identity (identifyJwtClaim, sessionCookies, authAccountField); undefined when off. */
  readonly tokenUserOf: TokenUserReader | undefined;
  readonly sessionOf: SessionCookieReader | undefined;
  readonly authAccountOf: AuthAccountReader | undefined;
  readonly serviceOf: ServiceResolver;
  readonly priceOf: PriceLookup;
  /** Request headers that carry context for the configured propagators (b3 arrives without a traceparent). */
  readonly propagationHeaders: readonly string[];
  hooks: ActivityHooks;
}

/** `tracer`: our provider's (never the global one, which may be the app's own SDK). */
export function createActivityRuntime(config: SdkConfig, hooks: ActivityHooks = {}, tracer: Tracer = trace.getTracer(TRACER_NAME)): ActivityRuntime {
  return {
    config,
    tracer,
    skipPath: compileSkipList(config.skipPaths),
    methods: config.methods.length === 0 ? undefined : new Set(config.methods.map((m) => m.toUpperCase())),
    redactQuery: createQueryRedactor(config.redactQueryParams),
    parseUserAgent: createUserAgentParser(config.userAgentMaxLength),
    authRouteOf: compileAuthRoutes(config.authRoutes),
    routeOf: createAccessRouteResolver(config),
    tokenUserOf: createTokenUserReader(config.identifyJwtClaim),
    sessionOf: createSessionCookieReader(config.sessionCookies),
    authAccountOf: createAuthAccountReader(config.authAccountField),
    serviceOf: createServiceMap(config.externalServices),
    priceOf: createPriceTable(config.modelPrices),
    propagationHeaders: propagationHeaders(config.propagators),
    hooks,
  };
}

let current: ActivityRuntime | undefined;

/** The runtime set by register/startActivityTracing; before that, one built from defaults (so the API never throws). */
export function getRuntime(): ActivityRuntime {
  current ??= createActivityRuntime(loadConfig({ env: {} }).sdk);
  return current;
}

export function setRuntime(runtime: ActivityRuntime): void {
  if (current !== undefined) runtime.hooks = { ...current.hooks, ...runtime.hooks };
  current = runtime;
}
