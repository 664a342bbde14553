// The one error base of MonsterOS: every package's errors extend it, so a caller can branch on
// `code` (and, for bad input, `field` and `rule`) whichever package threw.

/**
 * Codes every package uses in the same sense; each package adds its own (`DRIFT`, `LOCKED` …).
 * - `VALIDATION`: input refused before any store was touched; `field` and `rule` say why.
 * - `NOT_FOUND`, `CONFLICT`: the store answered, and the thing is missing or already there.
 * - `UNAVAILABLE`, `TIMEOUT`: the store could not be reached, or did not answer in time.
 */
export type CommonErrorCode = 'VALIDATION' | 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE' | 'TIMEOUT';

export interface MonsterosErrorOptions {
  /** The error this one explains (a driver's error, a zod issue). */
  cause?: unknown;
  /** The input field at fault, as a path (`passages[3].text`). */
  field?: string;
  /** The rule the field broke (`must be a UUID`). */
  rule?: string;
}

/**
 * The base of every error a MonsterOS package throws: a stable `code`, a message that names the
 * field, store or operation (never a password, a connection string, a source path or a stack
 * excerpt), the `field` and `rule` of refused input, and the `cause`.
 *
 * Each package extends it once (`CacheError`, `VectorsError` …) and names its validation error
 * `<Package>ValidationError` (`CacheValidationError`, `RelationalValidationError` …), whose
 * `code` is `VALIDATION` and whose `field` and `rule` are always set.
 *
 * @example
 * try { await data.flows.characterInteraction(input) }
 * catch (error) {
 *   if (isMonsterosError(error) && error.code === 'VALIDATION') reply(400, `${error.field}: ${error.rule}`);
 * }
 */
export class MonsterosError<Code extends string = string> extends Error {
  override readonly name: string = 'MonsterosError';
  readonly code: Code;
  readonly field?: string;
  readonly rule?: string;
  constructor(code: Code, message: string, options: MonsterosErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.field !== undefined) this.field = options.field;
    if (options.rule !== undefined) this.rule = options.rule;
  }
}

/** True for an error thrown by any MonsterOS package. */
export function isMonsterosError(error: unknown): error is MonsterosError {
  return error instanceof MonsterosError;
}
