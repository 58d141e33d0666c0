/**
 * The tracer's sampler: every span is recorded, whatever the upstream `traceparent` flags or OTEL_TRACES_SAMPLER
 * say, because auth events, errors and paid calls are an audit trail (what is kept is decided at span end, by
 * ActivitySamplingProcessor). The sampled flag we propagate downstream stays the caller's decision, so other
 * systems' sampling is unchanged.
 */
import { TraceFlags, trace, type Context } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';

const SAMPLED: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED };
/** Recorded, but propagated as not sampled. */
const RECORDED_ONLY: SamplingResult = { decision: SamplingDecision.RECORD };

/** True when the caller said not sampled: the span is recorded, and propagated as not sampled. */
export function parentSaidNotSampled(context: Context): boolean {
  const parent = trace.getSpanContext(context);
  return parent !== undefined && (parent.traceFlags & TraceFlags.SAMPLED) === 0;
}

export class ActivitySampler implements Sampler {
  shouldSample(context: Context): SamplingResult {
    return parentSaidNotSampled(context) ? RECORDED_ONLY : SAMPLED;
  }

  toString(): string {
    return 'ActivitySampler{record always, propagate the parent decision}';
  }
}
