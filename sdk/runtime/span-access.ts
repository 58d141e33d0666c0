/**
 * Read access to an SDK span's attributes and status. The API's Span interface is write-only;
 * every span our processors see is an SDK Span, whose fields are public.
 */
import type { Attributes, Span, SpanStatus } from '@opentelemetry/api';

interface SdkSpanFields {
  readonly attributes?: Attributes;
  readonly status?: SpanStatus;
  readonly kind?: number;
}

export function attributesOf(span: Span): Attributes {
  return (span as unknown as SdkSpanFields).attributes ?? {};
}

export function statusOf(span: Span): SpanStatus | undefined {
  return (span as unknown as SdkSpanFields).status;
}
