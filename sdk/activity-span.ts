/**
 * The normalised span shape every row mapper reads, part of the contract the server package imports. An SDK
 * `ReadableSpan` and an OTLP (JSON or protobuf) span both convert into it: one code path from span to row.
 */

export type AttributeValue = string | number | boolean | ReadonlyArray<string | number | boolean>;
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** Numeric values of OTel's SpanKind (same numbers as `@opentelemetry/api`): INTERNAL=0 SERVER=1 CLIENT=2 PRODUCER=3 CONSUMER=4. */
export type SpanKindNumber = 0 | 1 | 2 | 3 | 4;

export interface ActivitySpanEvent {
  readonly name: string;
  /** Epoch milliseconds (fractional part keeps sub-ms precision). */
  readonly timeMs: number;
  readonly attributes: Attributes;
}

export interface ActivitySpan {
  /** 32 lowercase hex characters. */
  readonly traceId: string;
  /** 16 lowercase hex characters. */
  readonly spanId: string;
  /** 16 lowercase hex characters, or '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: SpanKindNumber;
  /** Epoch milliseconds (fractional). Epoch nanoseconds do not fit a JS number exactly; ms with a fraction does. */
  readonly startTimeMs: number;
  readonly durationMs: number;
  /** OTel status code: 0 UNSET, 1 OK, 2 ERROR. */
  readonly statusCode: 0 | 1 | 2;
  readonly statusMessage: string;
  readonly attributes: Attributes;
  /** Resource attributes (service.name, deployment.environment.name, host.name …). */
  readonly resource: Attributes;
  readonly events: ReadonlyArray<ActivitySpanEvent>;
}
