/**
 * An external call that has just finished stays open until the event loop's next turn (its end time is taken when
 * it finished), so `recordUsage()` called right after `await`ing it lands on that call's row instead of a second.
 */
import type { Span } from '@opentelemetry/api';

/** Parent span id ('' for a call outside any span) → the call that last finished under it, still open. */
const finishing = new Map<string, Span>();

/** The id of the span `span` was started under, from an SDK span's parentSpanContext (sdk 2.x) or parentSpanId (1.x). */
export function parentIdOf(span: object): string {
  const s = span as { parentSpanContext?: { spanId?: unknown }; parentSpanId?: unknown };
  const id = s.parentSpanContext?.spanId ?? s.parentSpanId;
  return typeof id === 'string' ? id : '';
}

/** Ends `span` on the next turn of the loop, at the time of this call, and offers it to recordUsage until then. */
export function endAfterThisTurn(span: Span, parentId: string, end: (endTime: number) => void): void {
  const endTime = performance.now();
  finishing.set(parentId, span);
  setImmediate(() => {
    if (finishing.get(parentId) === span) finishing.delete(parentId);
    end(endTime);
  });
}

/** The call that finished under `parentId` in this turn of the loop, if any. */
export function justFinishedCall(parentId: string): Span | undefined {
  return finishing.get(parentId);
}

/** For HTTP spans of LLM calls: their instrumentation's end() goes through endAfterThisTurn. */
export function deferEnd(span: Span): void {
  const end = span.end.bind(span);
  const parentId = parentIdOf(span);
  let ending = false;
  span.end = (endTime) => {
    // Instrumentations may call end() twice (body end, then close): the first one counts.
    if (ending) return;
    ending = true;
    if (endTime !== undefined) end(endTime);
    else endAfterThisTurn(span, parentId, end);
  };
}
