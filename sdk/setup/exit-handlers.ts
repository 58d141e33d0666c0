/**
 * Flush on SIGTERM, SIGINT and beforeExit (bounded), then let the process end exactly as it would have without
 * us: when the app has no handler of its own for the signal, we re-raise it, so the exit status is the usual
 * one (adding a listener disables Node's default exit; that is why stock auto-instrumentation hangs on SIGTERM).
 */
import { diag } from '@opentelemetry/api';

export interface ExitHandlerOptions {
  /** Longest wait for the flush; default 3000 ms. */
  readonly timeoutMs?: number;
  /** Run synchronously just before a signal is re-raised (a death by signal emits no 'exit' event). */
  readonly beforeReraise?: () => void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Resolves when `flush` settles or after `timeoutMs`, whichever is first; never rejects. */
export function boundedFlush(flush: () => Promise<void>, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      diag.warn(`otel-activity: flush did not finish within ${timeoutMs} ms; exiting without waiting for it`);
      resolve();
    }, timeoutMs);
    timer.unref();
    flush().then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        diag.error('otel-activity: flush on exit failed', error);
        resolve();
      },
    );
  });
}

/** Installs the handlers; returns a function that removes them. */
export function installExitHandlers(flush: () => Promise<void>, options: ExitHandlerOptions = {}): () => void {
  const timeoutMs = options.timeoutMs ?? 3000;
  const handlers = new Map<string, () => void>();

  for (const signal of SIGNALS) {
    let flushing = false;
    const handler = (): void => {
      // Decided now, not at install time: the app may add its handler after we were preloaded.
      const appHandles = process.listenerCount(signal) > 1;
      if (flushing) {
        if (!appHandles) reraise(); // a second signal while flushing: stop waiting
        return;
      }
      flushing = true;
      void boundedFlush(flush, timeoutMs).then(() => {
        flushing = false;
        if (!appHandles) reraise();
      });
    };
    const reraise = (): void => {
      process.removeListener(signal, handler);
      if (process.listenerCount(signal) === 0) {
        try {
          options.beforeReraise?.();
        } catch (error) {
          diag.error('otel-activity: could not hand off unsent spans before exiting', error);
        }
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, handler);
    handlers.set(signal, handler);
  }

  let exitFlushed = false;
  const beforeExit = (): void => {
    // beforeExit fires again once our flush's own work drains; flush once.
    if (exitFlushed) return;
    exitFlushed = true;
    void boundedFlush(flush, timeoutMs);
  };
  process.on('beforeExit', beforeExit);
  handlers.set('beforeExit', beforeExit);

  return () => {
    for (const [event, handler] of handlers) process.removeListener(event, handler);
  };
}
