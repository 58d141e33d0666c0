/**
 * Errors from a ClickHouse server, carrying its numeric code and message, and which of them a retry can fix.
 * Server codes: https://github.com/ClickHouse/ClickHouse/blob/master/src/Common/ErrorCodes.cpp
 */

export class ClickHouseServerError extends Error {
  override readonly name: string = 'ClickHouseServerError';
  /** The server's error code (e.g. 60 UNKNOWN_TABLE), undefined for transport errors. */
  readonly code: number | undefined;
  constructor(message: string, code: number | undefined) {
    super(message);
    this.code = code;
  }
}

/** The server refused the credentials: a configuration problem, never fixed by retrying. */
export class ClickHouseAuthError extends ClickHouseServerError {
  override readonly name = 'ClickHouseAuthError';
}

/** UNKNOWN_USER 192, WRONG_PASSWORD 193, REQUIRED_PASSWORD 194 (old servers), AUTHENTICATION_FAILED 516 (new ones). */
export const AUTH_ERROR_CODES: ReadonlySet<number> = new Set([192, 193, 194, 516]);

/**
 * Errors in the request itself (schema, data, SQL, settings, permissions): the same batch fails the same way again.
 * Everything else (timeouts, too many parts, memory limits, network) is worth a retry.
 */
export const NON_RETRYABLE_CODES: ReadonlySet<number> = new Set([
  ...AUTH_ERROR_CODES,
  6, // CANNOT_PARSE_TEXT
  16, // NO_SUCH_COLUMN_IN_TABLE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  60, // UNKNOWN_TABLE
  62, // SYNTAX_ERROR
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  81, // UNKNOWN_DATABASE
  115, // UNKNOWN_SETTING
  117, // INCORRECT_DATA
  164, // READONLY
  497, // ACCESS_DENIED
]);

const CODE_RE = /Code:\s*(\d+)/;

/** The server code from a client error: the client's parsed `code`, or the "Code: N" text old servers send. */
export function serverCode(error: unknown): number | undefined {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e.code === 'string' && /^\d+$/.test(e.code)) return Number(e.code);
  if (typeof e.code === 'number') return e.code;
  const match = typeof e.message === 'string' ? CODE_RE.exec(e.message) : null;
  return match ? Number(match[1]) : undefined;
}
