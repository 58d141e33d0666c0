/**
 * A custom activity span (trackActivity: action, resource, details) → an activities row.
 */
import {
  ATTR_ACTIVITY_ACTION,
  ATTR_ACTIVITY_DETAILS,
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_RESOURCE_ID,
  ATTR_ACTIVITY_RESOURCE_TYPE,
  ATTR_CLIENT_ADDRESS,
  ATTR_USER_AGENT_ORIGINAL,
} from 'otel-activity/contract';
import type { ActivitySpan } from 'otel-activity/contract';
import { capString, textAttr } from './attribute-values';
import { attributesToMap } from './attributes-to-map';
import { clientIpOf } from './client-ip';
import type { ActivityRow } from './row-types';
import { COMMON_KEYS, SHORT_TEXT, commonFields } from './span-common';

const COLUMN_KEYS: ReadonlySet<string> = new Set([
  ...COMMON_KEYS,
  ATTR_ACTIVITY_KIND,
  ATTR_ACTIVITY_ACTION,
  ATTR_ACTIVITY_RESOURCE_TYPE,
  ATTR_ACTIVITY_RESOURCE_ID,
  ATTR_ACTIVITY_DETAILS,
  ATTR_CLIENT_ADDRESS,
  ATTR_USER_AGENT_ORIGINAL,
]);

export function spanToActivityRow(span: ActivitySpan, maxLength: number): ActivityRow {
  const a = span.attributes;
  const short = Math.min(maxLength, SHORT_TEXT);
  // Object.assign, not a spread: see commonFields.
  return Object.assign(commonFields(span, maxLength), {
    // The span name is the action when the attribute is missing (a hand-made span with activity.kind=custom).
    action: textAttr(a, ATTR_ACTIVITY_ACTION, short) || (typeof span.name === 'string' ? capString(span.name, short) : ''),
    resource_type: textAttr(a, ATTR_ACTIVITY_RESOURCE_TYPE, short),
    resource_id: textAttr(a, ATTR_ACTIVITY_RESOURCE_ID, short),
    // A capped document is no longer valid JSON; JSONExtract* then returns defaults rather than failing a query.
    details: textAttr(a, ATTR_ACTIVITY_DETAILS, maxLength),
    client_ip: clientIpOf(a[ATTR_CLIENT_ADDRESS]),
    user_agent: textAttr(a, ATTR_USER_AGENT_ORIGINAL, maxLength),
    attributes: attributesToMap(a, COLUMN_KEYS, maxLength, span.resource),
  });
}
