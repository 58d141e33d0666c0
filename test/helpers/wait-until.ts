/**
 * The one polling wait of the tests: pollUntil reads a value until it is what the test waits for or the time is up
 * and returns the last one (the test's assertion then shows what was there); waitUntil throws instead, naming what
 * it waited for, for hooks and helpers, where expect.poll is not allowed.
 */
export async function pollUntil<T>(read: () => T | Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  /** What was awaited, for the error; a function when the error should say the state at the timeout. */
  what: string | (() => string),
  intervalMs = 25,
): Promise<void> {
  if (!(await pollUntil(condition, (held) => held, timeoutMs, intervalMs))) {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
  }
}
