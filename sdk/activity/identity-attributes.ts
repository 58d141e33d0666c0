/**
 * The request's who-and-where (user, session, client address, user agent) as attributes, copied onto each
 * auth, custom and external span so the exporter can map that span to a complete row on its own.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_UA_BROWSER,
  ATTR_ACTIVITY_UA_DEVICE_TYPE,
  ATTR_ACTIVITY_UA_OS,
  ATTR_CLIENT_ADDRESS,
  ATTR_SESSION_ID,
  ATTR_USER_AGENT_ORIGINAL,
  ATTR_USER_ID,
} from '../attributes';
import type { ActivityRuntime } from '../runtime/activity-runtime';
import type { RequestState } from '../runtime/request-state';
import { ensureIdentified } from '../user/identity';

/** Adds the request's user.id and session.id (running identify once) unless `into` has them. */
export function addUserAttributes(into: Attributes, state: RequestState): Attributes {
  ensureIdentified(state);
  if (state.userId !== undefined && into[ATTR_USER_ID] === undefined) into[ATTR_USER_ID] = state.userId;
  if (state.sessionId !== undefined && into[ATTR_SESSION_ID] === undefined) into[ATTR_SESSION_ID] = state.sessionId;
  return into;
}

/** Adds the sanitised user agent and its parsed browser, OS and device type (cached parse). */
export function addUserAgentAttributes(into: Attributes, userAgent: string, runtime: ActivityRuntime): Attributes {
  const ua = runtime.parseUserAgent(userAgent);
  into[ATTR_USER_AGENT_ORIGINAL] = ua.original;
  into[ATTR_ACTIVITY_UA_DEVICE_TYPE] = ua.deviceType;
  if (ua.browser !== '') into[ATTR_ACTIVITY_UA_BROWSER] = ua.browser;
  if (ua.os !== '') into[ATTR_ACTIVITY_UA_OS] = ua.os;
  return into;
}

/** Adds user/session and, with `client`, the client address and user agent of the request. */
export function addIdentityAttributes(into: Attributes, state: RequestState | undefined, runtime: ActivityRuntime, client: boolean): Attributes {
  if (state === undefined) return into;
  addUserAttributes(into, state);
  if (!client) return into;
  if (state.clientAddress !== undefined) into[ATTR_CLIENT_ADDRESS] = state.clientAddress;
  if (state.userAgent !== undefined) addUserAgentAttributes(into, state.userAgent, runtime);
  return into;
}
