/**
 * Wraps the export processor and decides at span end what is exported: successful access spans are sampled at
 * sampleRate (and dropped when authenticatedOnly and anonymous); errors, 5xx, 4xx on auth routes, auth,
 * external and custom spans are always kept. Deciding at the end means an error is never sampled away.
 */
import { SpanStatusCode, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_ACTIVITY_KIND, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_USER_ID } from '../attributes';
import { AccessSpan, SLOT_KIND, SLOT_STATUS, SLOT_USER_ID } from '../activity/access-span';
import { activityCounters } from '../runtime/activity-stats';
import { requestStateOf } from '../runtime/request-state';

export interface ActivitySamplingOptions {
  readonly sampleRate: number;
  readonly authenticatedOnly: boolean;
  /** For tests: a deterministic random source in [0, 1). */
  readonly random?: () => number;
}

export class ActivitySamplingProcessor implements SpanProcessor {
  private readonly random: () => number;

  constructor(
    private readonly next: SpanProcessor,
    private readonly options: ActivitySamplingOptions,
  ) {
    this.random = options.random ?? Math.random;
  }

  /** True when the span goes to the exporter. */
  keep(span: ReadableSpan): boolean {
    // An access span's fields are read from its slots: its attributes object is made on each read.
    const access = span instanceof AccessSpan ? span : undefined;
    const kind = access !== undefined ? access.slots[SLOT_KIND] : span.attributes[ATTR_ACTIVITY_KIND];
    if (kind === undefined) {
      activityCounters().nonActivityDropped++;
      return false;
    }
    if (kind !== 'access') return true;
    const status = access !== undefined ? access.slots[SLOT_STATUS] : span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE];
    if (span.status.code === SpanStatusCode.ERROR || (typeof status === 'number' && status >= 500)) return true;
    if (typeof status === 'number' && status >= 400 && requestStateOf(span as unknown as Span)?.authEvent !== undefined) return true;
    if (this.options.authenticatedOnly && (access !== undefined ? access.slots[SLOT_USER_ID] : span.attributes[ATTR_USER_ID]) === undefined) {
      activityCounters().unauthenticatedDropped++;
      return false;
    }
    const rate = this.options.sampleRate;
    if (rate >= 1 || (rate > 0 && this.random() < rate)) return true;
    activityCounters().sampledOut++;
    return false;
  }

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if (!this.keep(span)) return;
    activityCounters().exported++;
    this.next.onEnd((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0 ? asSampled(span) : span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}

/**
 * A span the caller did not sample (traceparent flags 00), seen by the export processors as sampled: OTel's batch
 * and simple processors drop unsampled spans, and an audit row must not depend on someone else's sampling. The
 * span itself keeps its flags, so what was propagated is untouched.
 */
function asSampled(span: ReadableSpan): ReadableSpan {
  const context: SpanContext = { ...span.spanContext(), traceFlags: span.spanContext().traceFlags | TraceFlags.SAMPLED };
  const view = Object.create(span) as ReadableSpan;
  Object.defineProperty(view, 'spanContext', { value: () => context });
  return view;
}
