/**
 * An auth event span (signup, login, logout, login_failed, token_refresh, password_reset) → an auth_events row.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import {
  ATTR_ACTIVITY_AUTH_EVENT,
  ATTR_ACTIVITY_AUTH_METHOD,
  ATTR_ACTIVITY_AUTH_REASON,
  ATTR_ACTIVITY_AUTH_SUCCESS,
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_UA_DEVICE_TYPE,
  ATTR_CLIENT_ADDRESS,
  ATTR_USER_AGENT_ORIGINAL,
} from 'otel-activity/contract';
import type { ActivitySpan } from 'otel-activity/contract';
import { booleanAttr, textAttr } from './attribute-values';
import { attributesToMap } from './attributes-to-map';
import { clientIpOf } from './client-ip';
import type { AuthRow } from './row-types';
import { COMMON_KEYS, SHORT_TEXT, commonFields, errorMessageOf } from './span-common';

const COLUMN_KEYS: ReadonlySet<string> = new Set([
  ...COMMON_KEYS,
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_AUTH_EVENT,
  ATTR_ACTIVITY_AUTH_SUCCESS,
  ATTR_ACTIVITY_AUTH_METHOD,
  ATTR_ACTIVITY_AUTH_REASON,
  ATTR_CLIENT_ADDRESS,
  ATTR_USER_AGENT_ORIGINAL,
  ATTR_ACTIVITY_UA_DEVICE_TYPE,
]);

export function spanToAuthRow(span: ActivitySpan, maxLength: number): AuthRow {
  const a = span.attributes;
  const short = Math.min(maxLength, SHORT_TEXT);
  const event = textAttr(a, ATTR_ACTIVITY_AUTH_EVENT, short);
  // Without an explicit outcome: a login_failed event, or a span that ended in ERROR, did not succeed.
  const success = booleanAttr(a, ATTR_ACTIVITY_AUTH_SUCCESS) ?? (event !== 'login_failed' && span.statusCode !== SpanStatusCode.ERROR);
  // Object.assign, not a spread: see commonFields.
  return Object.assign(commonFields(span, maxLength), {
    event,
    success,
    method: textAttr(a, ATTR_ACTIVITY_AUTH_METHOD, short),
    // The SDK's reason, else the error the span carried (a failed event always says why if it can).
    reason: textAttr(a, ATTR_ACTIVITY_AUTH_REASON, maxLength) || (success ? '' : errorMessageOf(span, maxLength)),
    client_ip: clientIpOf(a[ATTR_CLIENT_ADDRESS]),
    user_agent: textAttr(a, ATTR_USER_AGENT_ORIGINAL, maxLength),
    device_type: textAttr(a, ATTR_ACTIVITY_UA_DEVICE_TYPE, short),
    attributes: attributesToMap(a, COLUMN_KEYS, maxLength, span.resource),
  });
}
