import { MonsterosError } from '@monsteros/schema/errors';

/** Stable codes of the relational package's errors. */
export type RelationalErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FOREIGN_KEY'
  | 'CHECK_VIOLATION'
  | 'SERIALIZATION'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'DATABASE';

/**
 * The base of every error @monsteros/relational throws: a stable `code`, a message naming the
 * field, entity or constraint (never a password or connection string), and the `cause`.
 */
export class RelationalError extends MonsterosError<RelationalErrorCode> {
  override readonly name: string = 'RelationalError';
}

/** Input rejected before any SQL ran: names the field and the rule. */
export class RelationalValidationError extends RelationalError {
  override readonly name: string = 'RelationalValidationError';
  declare readonly field: string;
  declare readonly rule: string;
  constructor(field: string, rule: string, options?: { cause?: unknown }) {
    super('VALIDATION', `${field}: ${rule}`, { ...options, field, rule });
  }
}

export class NotFoundError extends RelationalError {
  override readonly name = 'NotFoundError';
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super('NOT_FOUND', `${entity} ${key} not found`);
  }
}

/** A unique constraint (or an optimistic version check) refused the write. */
export class ConflictError extends RelationalError {
  override readonly name = 'ConflictError';
  constructor(
    message: string,
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super('CONFLICT', message, options);
  }
}

export class ForeignKeyError extends RelationalError {
  override readonly name = 'ForeignKeyError';
  constructor(
    message: string,
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super('FOREIGN_KEY', message, options);
  }
}

export class CheckViolationError extends RelationalError {
  override readonly name = 'CheckViolationError';
  constructor(
    message: string,
    readonly constraint: string | undefined,
    options?: { cause?: unknown },
  ) {
    super('CHECK_VIOLATION', message, options);
  }
}

/** A serializable transaction lost a conflict; `withSerializableRetry` retries these. */
export class SerializationError extends RelationalError {
  override readonly name = 'SerializationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERIALIZATION', message, options);
  }
}

export class TimeoutError extends RelationalError {
  override readonly name = 'TimeoutError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}

export class UnavailableError extends RelationalError {
  override readonly name = 'UnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('UNAVAILABLE', message, options);
  }
}

interface PgErrorLike {
  code?: string;
  constraint?: string;
  table?: string;
  message?: string;
  detail?: string;
}

/** Prisma (driver adapter) errors carry the database error under meta.driverAdapterError. */
function prismaCause(error: unknown): { code?: string; constraint?: string } | undefined {
  const e = error as { code?: string; meta?: Record<string, unknown> };
  if (typeof e?.code !== 'string' || !e.code.startsWith('P')) return undefined;
  const adapter = e.meta?.driverAdapterError as
    | { cause?: { originalCode?: string; constraint?: { index?: string } } }
    | undefined;
  const constraint = adapter?.cause?.constraint?.index;
  const map: Record<string, string> = {
    P2002: '23505',
    P2003: '23503',
    P2034: '40001',
    P2024: 'TIMEOUT',
    P2025: 'NOT_FOUND',
  };
  return {
    code: adapter?.cause?.originalCode ?? map[e.code] ?? e.code,
    ...(constraint ? { constraint } : {}),
  };
}

/**
 * Turns a pg or Prisma error into this package's typed error (already-typed errors pass
 * through). `what` names the operation for the message, e.g. "insert character".
 * @example
 * try { … } catch (e) { throw mapDatabaseError(e, 'insert character'); }
 */
export function mapDatabaseError(error: unknown, what: string): RelationalError {
  if (error instanceof RelationalError) return error;
  const prisma = prismaCause(error);
  const pgError = error as PgErrorLike;
  const code = prisma?.code ?? pgError?.code;
  const constraint = prisma?.constraint ?? pgError?.constraint;
  const on = constraint ? ` (constraint ${constraint})` : '';
  switch (code) {
    case '23505':
      return new ConflictError(`${what}: already exists${on}`, constraint, { cause: error });
    case '23503':
      return new ForeignKeyError(
        `${what}: refers to a row that does not exist or is still referenced${on}`,
        constraint,
        {
          cause: error,
        },
      );
    case '23514':
      return new CheckViolationError(`${what}: violates a check${on}`, constraint, { cause: error });
    case '40001':
    case '40P01':
      return new SerializationError(
        `${what}: transaction conflict (${code === '40P01' ? 'deadlock' : 'serialization failure'})`,
        {
          cause: error,
        },
      );
    case '57014':
    case 'TIMEOUT':
      return new TimeoutError(`${what}: timed out`, { cause: error });
    case 'NOT_FOUND':
      return new RelationalError('NOT_FOUND', `${what}: not found`, { cause: error });
  }
  const errno = (error as { code?: string })?.code;
  if (
    (typeof code === 'string' && (code.startsWith('08') || code === '57P01' || code === '57P03')) ||
    errno === 'ECONNREFUSED' ||
    errno === 'ECONNRESET' ||
    errno === 'ENOTFOUND' ||
    /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(
      pgError?.message ?? '',
    )
  ) {
    return new UnavailableError(`${what}: PostgreSQL is unavailable`, { cause: error });
  }
  return new RelationalError('DATABASE', `${what}: ${pgError?.message ?? String(error)}`, { cause: error });
}
