/**
 * An inbound HTTP request span → an access_log row.
 */
import {
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_UA_BROWSER,
  ATTR_ACTIVITY_UA_DEVICE_TYPE,
  ATTR_ACTIVITY_UA_OS,
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_HTTP_ROUTE,
  ATTR_HTTP_TARGET_LEGACY,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
} from 'otel-activity/contract';
import type { ActivitySpan } from 'otel-activity/contract';
import { capString, numberAttr, textAttr, uintOf } from './attribute-values';
import { attributesToMap } from './attributes-to-map';
import { clientIpOf } from './client-ip';
import { METHOD_KEYS, STATUS_KEYS, methodOf, statusOf } from './http-fields';
import type { AccessRow } from './row-types';
import { COMMON_KEYS, SHORT_TEXT, commonFields, durationOf, errorMessageOf } from './span-common';

const COLUMN_KEYS: ReadonlySet<string> = new Set([
  ...COMMON_KEYS,
  ...METHOD_KEYS,
  ...STATUS_KEYS,
  ATTR_ACTIVITY_KIND,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_HTTP_REQUEST_BODY_SIZE,
  ATTR_HTTP_RESPONSE_BODY_SIZE,
  ATTR_CLIENT_ADDRESS,
  ATTR_USER_AGENT_ORIGINAL,
  ATTR_ACTIVITY_UA_BROWSER,
  ATTR_ACTIVITY_UA_OS,
  ATTR_ACTIVITY_UA_DEVICE_TYPE,
  // Its query part is unredacted; the path is in `path`, so it is not kept in the map either.
  ATTR_HTTP_TARGET_LEGACY,
]);

export function spanToAccessRow(span: ActivitySpan, maxLength: number): AccessRow {
  const a = span.attributes;
  const short = Math.min(maxLength, SHORT_TEXT);
  const path = textAttr(a, ATTR_URL_PATH, maxLength) || pathOfTarget(textAttr(a, ATTR_HTTP_TARGET_LEGACY, maxLength));
  // Object.assign, not a spread: see commonFields.
  return Object.assign(commonFields(span, maxLength), {
    method: methodOf(a),
    route: textAttr(a, ATTR_HTTP_ROUTE, maxLength) || path,
    path,
    // Only url.query, which the SDK redacts; never the raw query of a legacy http.target.
    query: textAttr(a, ATTR_URL_QUERY, maxLength),
    status: statusOf(a),
    duration_ms: durationOf(span),
    request_bytes: uintOf(numberAttr(a, ATTR_HTTP_REQUEST_BODY_SIZE)),
    response_bytes: uintOf(numberAttr(a, ATTR_HTTP_RESPONSE_BODY_SIZE)),
    client_ip: clientIpOf(a[ATTR_CLIENT_ADDRESS]),
    user_agent: textAttr(a, ATTR_USER_AGENT_ORIGINAL, maxLength),
    browser: textAttr(a, ATTR_ACTIVITY_UA_BROWSER, short),
    os: textAttr(a, ATTR_ACTIVITY_UA_OS, short),
    device_type: textAttr(a, ATTR_ACTIVITY_UA_DEVICE_TYPE, short),
    error_message: errorMessageOf(span, maxLength),
    attributes: attributesToMap(a, COLUMN_KEYS, maxLength, span.resource),
  });
}

function pathOfTarget(target: string): string {
  const q = target.indexOf('?');
  return capString(q === -1 ? target : target.slice(0, q), target.length);
}
