/**
 * What GET /healthz says about ingest: not ready (503, with the cause) once several OTLP requests in a row could not
 * be stored durably (engine down and spool full or unusable, a table gone), ready again at the first that is. One
 * failure is not enough: under a filling disk some requests still fit, and a balancer should not flap on each.
 */
import type { ExporterStats } from '../activity-pipeline-types';

/** Consecutive non-durable requests before /healthz turns 503. */
const FAILURES_BEFORE_NOT_READY = 3;

export class IngestHealth {
  private failures = 0;
  private cause = '';

  succeeded(): void {
    this.failures = 0;
  }

  failed(cause: string): void {
    this.failures++;
    this.cause = cause;
  }

  /** Why ingest cannot commit now, or undefined. */
  notReadyReason(): string | undefined {
    if (this.failures < FAILURES_BEFORE_NOT_READY) return undefined;
    return `ingest cannot commit: the last ${this.failures} requests could not be stored durably (${this.cause})`;
  }
}

/** The engine's last error and the rows dropped by reason: what stops a commit, in the words of the pipeline. */
export function commitFailureCause(stats: ExporterStats): string {
  const drops: Record<string, number> = {};
  for (const byReason of Object.values(stats.dropped)) {
    for (const [reason, n] of Object.entries(byReason)) if (n > 0) drops[reason] = (drops[reason] ?? 0) + n;
  }
  const dropped = Object.entries(drops).map(([reason, n]) => `${reason} ${n}`).join(', ');
  return `last engine error: ${stats.lastInsertError ?? 'none'}; rows dropped so far: ${dropped || 'none'}`;
}
