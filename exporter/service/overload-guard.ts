/**
 * Load shedding for the ingest service: a timer measures how late the event loop runs it (the time one decode or
 * one burst of callbacks holds the thread) and samples the JS heap and buffers. While either is over its limit, new
 * OTLP requests are answered 429 before their body is decoded, so a flood costs a header parse per request instead
 * of a decode, memory stays bounded, and senders back off for Retry-After instead of queueing in TCP buffers.
 */
import { memoryNow } from './service-metrics';

export interface OverloadLimits {
  /** Refuse while the event loop runs this many ms late or more; 0 disables the check. */
  readonly maxEventLoopDelayMs: number;
  /** Refuse while the JS heap plus buffers outside it hold this many bytes or more; 0 disables the check. */
  readonly maxJsMemoryBytes: number;
}

export interface OverloadGuard {
  /** Why a new request should be refused now, or undefined. */
  refuseReason(): string | undefined;
  /** The largest delay seen since the previous call; resets it. */
  takeMaxDelayMs(): number;
  stop(): void;
}

/** Often enough to react within a fraction of a second, rarely enough to cost nothing (one timer, one heap read). */
const SAMPLE_MS = 100;

export function startOverloadGuard(limits: OverloadLimits): OverloadGuard {
  let reason: string | undefined;
  let maxDelay = 0;
  let expected = performance.now() + SAMPLE_MS;
  let timer: NodeJS.Timeout | undefined;
  const off = limits.maxEventLoopDelayMs === 0 && limits.maxJsMemoryBytes === 0;

  const tick = (): void => {
    const now = performance.now();
    const delay = Math.max(0, now - expected);
    if (delay > maxDelay) maxDelay = delay;
    reason = off ? undefined : overloadReason(limits, delay);
    expected = now + SAMPLE_MS;
    timer = setTimeout(tick, SAMPLE_MS);
    timer.unref();
  };
  timer = setTimeout(tick, SAMPLE_MS);
  timer.unref();

  return {
    refuseReason: () => reason,
    takeMaxDelayMs: () => {
      const value = maxDelay;
      maxDelay = 0;
      return Math.round(value);
    },
    stop: () => clearTimeout(timer),
  };
}

function overloadReason(limits: OverloadLimits, delayMs: number): string | undefined {
  if (limits.maxEventLoopDelayMs > 0 && delayMs >= limits.maxEventLoopDelayMs) {
    return `the service is saturated (event loop ${Math.round(delayMs)} ms late, limit OTEL_ACTIVITY_MAX_EVENT_LOOP_DELAY_MS=${limits.maxEventLoopDelayMs})`;
  }
  if (limits.maxJsMemoryBytes > 0) {
    const memory = memoryNow();
    // external counts request bodies and other Buffers; RSS is not used because the engine's allocator keeps pages.
    const used = memory.heapUsedBytes + memory.externalBytes;
    if (used >= limits.maxJsMemoryBytes) {
      return `the service holds ${mib(used)} MiB of spans in memory (limit OTEL_ACTIVITY_MAX_JS_MEMORY_BYTES=${mib(limits.maxJsMemoryBytes)} MiB)`;
    }
  }
  return undefined;
}

function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}
