import { MonsterosError } from '@monsteros/schema/errors';

/** Stable codes of the analytics package's errors. */
export type AnalyticsErrorCode =
  | 'VALIDATION'
  | 'UNKNOWN_NAME'
  | 'LOCKED'
  | 'CORRUPT'
  | 'READ_ONLY'
  | 'INGESTION'
  | 'CLOSED'
  | 'DUCKDB';

/** The base of every error @monsteros/analytics throws: a stable `code` and a message naming the problem. */
export class AnalyticsError extends MonsterosError<AnalyticsErrorCode> {
  override readonly name: string = 'AnalyticsError';
}

/** Input rejected before anything ran: names the field and the rule. */
export class AnalyticsValidationError extends AnalyticsError {
  override readonly name: string = 'AnalyticsValidationError';
  declare readonly field: string;
  declare readonly rule: string;
  constructor(field: string, rule: string, options?: { cause?: unknown }) {
    super('VALIDATION', `${field}: ${rule}`, { ...options, field, rule });
  }
}

/** A table, metric or view name we do not have. `known` lists what exists. */
export class UnknownNameError extends AnalyticsError {
  override readonly name = 'UnknownNameError';
  constructor(
    readonly kind: 'table' | 'metric' | 'agent',
    readonly value: string,
    readonly known: readonly string[],
  ) {
    super(
      'UNKNOWN_NAME',
      `unknown ${kind} ${JSON.stringify(value)}${known.length ? `; known: ${known.join(', ')}` : ''}`,
    );
  }
}

/** The database file is held by another process (DuckDB allows one writer process). */
export class LockedError extends AnalyticsError {
  override readonly name = 'LockedError';
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(
      'LOCKED',
      `DuckDB file ${path} is locked by another process: one process owns it for writing; open it with readOnly: true from others once the owner has closed it`,
      options,
    );
  }
}

/** The file is not a DuckDB database, or is damaged. */
export class CorruptError extends AnalyticsError {
  override readonly name = 'CorruptError';
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(
      'CORRUPT',
      `DuckDB file ${path} is not a valid DuckDB database (corrupt or another format)`,
      options,
    );
  }
}

/** An ingestion batch failed; the watermark was left where it was, so nothing is skipped or doubled. */
export class IngestionError extends AnalyticsError {
  override readonly name = 'IngestionError';
  constructor(
    readonly table: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('INGESTION', `ingest ${table}: ${message}; the watermark is unchanged`, options);
  }
}

/** Maps an error thrown while opening a database file to a typed one. */
export function mapOpenError(error: unknown, path: string): AnalyticsError {
  const message = error instanceof Error ? error.message : String(error);
  if (/could not set lock|conflicting lock/i.test(message)) return new LockedError(path, { cause: error });
  if (/not a valid duckdb database|corrupt|invalid (database|file)|checksum|unable to read/i.test(message)) {
    return new CorruptError(path, { cause: error });
  }
  return new AnalyticsError('DUCKDB', `open ${path}: ${message}`, { cause: error });
}
