/**
 * Read access to an SDK span's attributes, start time and status. The API's Span interface is write-only;
 * every span our processors see is an SDK Span, whose fields are public.
 */
import type { Attributes, HrTime, Span, SpanStatus } from '@opentelemetry/api';

interface SdkSpanFields {
  readonly attributes?: Attributes;
  readonly startTime?: HrTime;
  readonly status?: SpanStatus;
  readonly kind?: number;
}

export function attributesOf(span: Span): Attributes {
  return (span as unknown as SdkSpanFields).attributes ?? {};
}

export function startTimeOf(span: Span): HrTime | undefined {
  return (span as unknown as SdkSpanFields).startTime;
}

export function statusOf(span: Span): SpanStatus | undefined {
  return (span as unknown as SdkSpanFields).status;
}
