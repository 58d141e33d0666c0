/**
 * The request's context (the caller's context plus the access span, without the API's per-request Map copy) must
 * answer exactly as `trace.setSpan(parent, span)` does: the span, the parent's values, and every context made from it.
 */
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, createContextKey, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { contextWithSpan } from '../sdk/activity/request-context';

const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
const child = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: '00f067aa0ba902b7', traceFlags: 1 });
const APP_KEY = createContextKey('app key');
const OTHER_KEY = createContextKey('other key');

function both(parent: Context): [Context, Context] {
  return [contextWithSpan(parent, span), trace.setSpan(parent, span)];
}

describe('the request context', () => {
  it('answers as trace.setSpan does, for the span, the parent values and what is made from it', () => {
    const baggage = propagation.setBaggage(ROOT_CONTEXT.setValue(APP_KEY, 'from parent'), propagation.createBaggage({ plan: { value: 'pro' } }));
    for (const parent of [ROOT_CONTEXT, baggage, trace.setSpan(baggage, child)]) {
      const [ours, reference] = both(parent);
      for (const key of [APP_KEY, OTHER_KEY]) expect(ours.getValue(key)).toBe(reference.getValue(key));
      expect(trace.getSpan(ours)).toBe(span);
      expect(propagation.getBaggage(ours)?.getEntry('plan')).toEqual(propagation.getBaggage(reference)?.getEntry('plan'));
      // What an instrumentation does next: a child span's context, a value of its own, the span taken away.
      expect(trace.getSpan(trace.setSpan(ours, child))).toBe(child);
      expect(trace.getSpan(ours)).toBe(span);
      expect(ours.setValue(OTHER_KEY, 2).getValue(OTHER_KEY)).toBe(2);
      expect(ours.setValue(OTHER_KEY, 2).getValue(APP_KEY)).toBe(reference.getValue(APP_KEY));
      expect(trace.getSpan(ours.setValue(OTHER_KEY, 2))).toBe(span);
      expect(trace.getSpan(trace.deleteSpan(ours))).toBeUndefined();
      expect(ours.deleteValue(APP_KEY).getValue(APP_KEY)).toBeUndefined();
      expect(ours.getValue(OTHER_KEY)).toBeUndefined();
    }
  });

  it('is the active context inside context.with, through the async-local-storage manager', async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const [ours] = both(ROOT_CONTEXT.setValue(APP_KEY, 'v'));
      const seen = await context.with(ours, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return [trace.getActiveSpan(), context.active().getValue(APP_KEY)];
      });
      expect(seen).toEqual([span, 'v']);
    } finally {
      context.disable();
    }
  });
});
