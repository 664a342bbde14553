import { MonsterosError } from '../errors.js';

/** What went wrong in a migration command, as a stable code a caller can branch on. */
export type MigrateErrorCode =
  | 'UNAVAILABLE' // the database cannot be reached
  | 'VALIDATION' // bad arguments or a schema that does not validate
  | 'DRIFT' // schema and migrations disagree (db:check), or the database drifted from its history
  | 'EDITED' // an applied migration's file changed after it was applied
  | 'FAILED' // a migration failed, or an earlier failure is still unresolved
  | 'REFUSED' // a destructive command without the explicit consent it needs
  | 'ENGINE'; // any other error reported by the schema engine

/**
 * The one error type of the migration tool: a stable `code`, a message that names the
 * database by host, port and name only (never a password or a full URL), and the cause.
 */
export class MigrateError extends MonsterosError<MigrateErrorCode> {
  override readonly name = 'MigrateError';
  readonly details: Record<string, unknown>;
  constructor(
    code: MigrateErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(code, message, options?.cause === undefined ? {} : { cause: options.cause });
    this.details = options?.details ?? {};
  }
}

/** Where a database is, without its credentials: `host:port/database`. */
export function describeDatabase(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
    return `${url.hostname || 'localhost'}:${url.port || '5432'}/${database}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/** Removes anything that looks like a connection string's password from engine output. */
export function redact(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]+):[^@\s]*@/g, '$1:***@');
}
