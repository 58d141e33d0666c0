/**
 * CLI failures and their exit codes: 2 for a usage mistake (bad flag, unknown report), 1 for a runtime failure.
 */

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

/** The user asked for something malformed; the message says what to type instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
