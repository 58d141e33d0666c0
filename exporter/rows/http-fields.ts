/**
 * HTTP fields read the same way by the access and external-call mappers: stable semconv names first, then the
 * names older instrumentations emit, so spans from stock OTel SDKs map too.
 */
import {
  ATTR_HTTP_METHOD_LEGACY,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_STATUS_CODE_LEGACY,
} from 'otel-activity/contract';
import type { Attributes } from 'otel-activity/contract';
import { numberAttr, textAttr, uintOf } from './attribute-values';

export const METHOD_KEYS = [ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_METHOD_LEGACY] as const;
export const STATUS_KEYS = [ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_STATUS_CODE_LEGACY] as const;

/** Methods are short words (GET, _OTHER); a longer value is cut rather than trusted. */
const METHOD_MAX = 32;

export function methodOf(attributes: Attributes): string {
  return textAttr(attributes, METHOD_KEYS, METHOD_MAX);
}

/** 0 when there was no response, or the value is not a status (UInt16 column). */
export function statusOf(attributes: Attributes): number {
  return uintOf(numberAttr(attributes, STATUS_KEYS), 65_535);
}
