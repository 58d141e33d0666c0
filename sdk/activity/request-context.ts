/**
 * The context a request's handler runs in: the caller's context with the access span set, as one small object
 * (`trace.setSpan` copies the parent's Map into a new context and Map on every request). It answers getValue as
 * that context would; setValue and deleteValue (a child span, baggage) go to the equivalent context, made once.
 */
import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';

// The API's own key (createContextKey is Symbol.for of its description); checked below against trace.getSpan.
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');

class RequestContext implements Context {
  private full: Context | undefined;

  constructor(
    private readonly parent: Context,
    private readonly span: Span,
  ) {}

  getValue(key: symbol): unknown {
    return key === SPAN_KEY ? this.span : this.parent.getValue(key);
  }

  setValue(key: symbol, value: unknown): Context {
    return this.expanded().setValue(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.expanded().deleteValue(key);
  }

  private expanded(): Context {
    return (this.full ??= trace.setSpan(this.parent, this.span));
  }
}

// An @opentelemetry/api that keys the span differently would not see it: then the API's own way is used.
const probe = trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: '1'.repeat(16), traceFlags: 0 });
const keyMatches = trace.getSpan(new RequestContext(ROOT_CONTEXT, probe)) === probe;

/** `trace.setSpan(parent, span)`, without copying the parent's values. */
export function contextWithSpan(parent: Context, span: Span): Context {
  return keyMatches ? new RequestContext(parent, span) : trace.setSpan(parent, span);
}
