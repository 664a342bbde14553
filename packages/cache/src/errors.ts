import { MonsterosError } from '@monsteros/schema/errors';

/** Stable codes of the cache package's errors. */
export type CacheErrorCode = 'VALIDATION' | 'UNAVAILABLE' | 'TIMEOUT' | 'CONFLICT' | 'REDIS';

/**
 * The base of every error @monsteros/cache throws: a stable `code`, a message naming the field,
 * key family or operation (never a password or connection string), and the `cause`.
 */
export class CacheError extends MonsterosError<CacheErrorCode> {
  override readonly name: string = 'CacheError';
}

/** Input rejected before anything was sent to Redis: names the field and the rule. */
export class CacheValidationError extends CacheError {
  override readonly name: string = 'CacheValidationError';
  declare readonly field: string;
  declare readonly rule: string;
  constructor(field: string, rule: string, options?: { cause?: unknown }) {
    super('VALIDATION', `${field}: ${rule}`, { ...options, field, rule });
  }
}

/** Redis is down or unreachable (sessions and streams raise it; cache reads turn it into a miss). */
export class UnavailableError extends CacheError {
  override readonly name = 'UnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAVAILABLE', message, options);
  }
}

/** Redis did not answer within the command timeout. */
export class TimeoutError extends CacheError {
  override readonly name = 'TimeoutError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}

const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/**
 * Turns an ioredis error into this package's typed error (typed errors pass through).
 * `what` names the operation, e.g. "agent session update".
 * @example
 * try { … } catch (e) { throw mapRedisError(e, 'publish agent message'); }
 */
export function mapRedisError(error: unknown, what: string): CacheError {
  if (error instanceof CacheError) return error;
  const e = error as { code?: string; message?: string; name?: string };
  const message = e?.message ?? String(error);
  if (message === 'Command timed out')
    return new TimeoutError(`${what}: Redis did not answer in time`, { cause: error });
  if (
    (e?.code !== undefined && CONNECTION_ERRORS.has(e.code)) ||
    e?.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|connect ECONNREFUSED|LOADING|ClusterAllFailedError|None of startup nodes/i.test(
      message,
    )
  ) {
    return new UnavailableError(`${what}: Redis is unavailable`, { cause: error });
  }
  return new CacheError('REDIS', `${what}: ${message}`, { cause: error });
}
