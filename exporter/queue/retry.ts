/**
 * Retries one batch insert with exponential backoff and full jitter, bounded by attempts and a deadline.
 * Every attempt carries the batch's dedup token, so a server that stored an earlier attempt keeps one copy.
 */
import type { InsertResult, RowWriter } from '../sinks/row-writer';

export interface RetryPolicy {
  /** Attempts in all, the first included (at least 1). */
  readonly maxAttempts: number;
  /** Backoff cap for the first retry; doubles each retry up to maxDelayMs. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** No retry starts after this many ms from the first attempt. */
  readonly deadlineMs: number;
}

export interface RetryOutcome {
  readonly result: InsertResult;
  readonly attempts: number;
}

export interface RetryHooks {
  /** Called before each retry (not the first attempt), e.g. to count retries. */
  readonly onRetry?: (attempt: number, error: Error) => void;
  /** Checked before each wait: true stops retrying early (shutdown drains to the spool instead of waiting). */
  readonly shouldStop?: () => boolean;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** "Full jitter" (AWS architecture blog): uniform in [0, min(max, initial·2^retry)], which spreads a herd of retries best. */
export function backoffDelay(retry: number, initialDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}

function sleepUnref(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Inserts `rows`, retrying only results marked retryable. Never throws. */
export async function insertWithRetry(
  writer: RowWriter,
  table: string,
  rows: ReadonlyArray<object>,
  dedupToken: string,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<RetryOutcome> {
  const sleep = hooks.sleep ?? sleepUnref;
  const started = Date.now();
  const maxAttempts = Math.max(1, policy.maxAttempts);
  let attempts = 0;
  for (;;) {
    attempts++;
    let result: InsertResult;
    try {
      result = await writer.insert(table, rows, { dedupToken });
    } catch (error) {
      // RowWriter.insert promises not to throw; a writer that does anyway is treated as a transient failure.
      result = { ok: false, retryable: true, error: error instanceof Error ? error : new Error(String(error)) };
    }
    if (result.ok || !result.retryable || attempts >= maxAttempts) return { result, attempts };
    const delay = backoffDelay(attempts - 1, policy.initialDelayMs, policy.maxDelayMs, hooks.random);
    if (Date.now() - started + delay > policy.deadlineMs || hooks.shouldStop?.()) return { result, attempts };
    hooks.onRetry?.(attempts + 1, result.error);
    await sleep(delay);
    if (hooks.shouldStop?.()) return { result, attempts };
  }
}
