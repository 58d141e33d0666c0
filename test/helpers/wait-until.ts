/**
 * The one polling wait of the tests: checks a condition (sync or async) every `intervalMs` until it holds, and throws
 * naming what it waited for once `timeoutMs` have passed. For hooks and helpers, where expect.poll is not allowed.
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  /** What was awaited, for the error; a function when the error should say the state at the timeout. */
  what: string | (() => string),
  intervalMs = 25,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
