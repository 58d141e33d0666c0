/**
 * The detached sender an exiting app starts when it wrote unsent batches to its buffer: it sends them in order and
 * ends, so a process that exits at once (its own signal handler calling process.exit(), a crash, a CLI job) loses
 * nothing even if it never starts again. Gives up after a while when the endpoint stays away; the next start of
 * the app sends what is left. Run as `node send-buffered.js` with its job in SENDER_ENV, never traced.
 */
import { DiskBuffer } from './disk-buffer';
import { postOtlp, type OtlpTarget } from './otlp-request';

export const SENDER_ENV = '_OTEL_ACTIVITY_BUFFER_SENDER';

export interface SenderJob {
  readonly dir: string;
  readonly extension: string;
  readonly target: OtlpTarget;
  /** Stop retrying after this long; what is left stays for the next start. */
  readonly giveUpMs: number;
}

export async function sendBuffered(job: SenderJob): Promise<void> {
  const { buffer } = DiskBuffer.open(job.dir, Number.MAX_SAFE_INTEGER, job.extension);
  if (buffer === undefined) return;
  const deadline = Date.now() + job.giveUpMs;
  let delay = 500;
  while (Date.now() < deadline) {
    const batch = await buffer.claimOldest();
    if (batch === undefined) return;
    const outcome = await postOtlp(job.target, batch.body);
    if (outcome === 'retry') {
      await buffer.release(batch);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(10_000, delay * 2);
      continue;
    }
    // Sent, or refused for good (a retry would be refused the same way).
    await buffer.done(batch);
    delay = 500;
  }
}

if (require.main === module) {
  const text = process.env[SENDER_ENV];
  delete process.env[SENDER_ENV];
  if (text !== undefined) void sendBuffered(JSON.parse(text) as SenderJob).catch(() => undefined);
}
