/** Stable, machine-readable error codes of the local Qdrant engine. */
export type LocalQdrantErrorCode = 'NOT_FOUND' | 'CONFLICT' | 'VALIDATION' | 'UNAVAILABLE' | 'INTERNAL';

const codeOfStatus = (status: number): LocalQdrantErrorCode =>
  status === 404
    ? 'NOT_FOUND'
    : status === 409
      ? 'CONFLICT'
      : status >= 500
        ? status === 503
          ? 'UNAVAILABLE'
          : 'INTERNAL'
        : 'VALIDATION';

/**
 * An error of the local Qdrant engine: `status` is the HTTP status Qdrant answers for the same
 * mistake and `message` is Qdrant's error text (what `{status: {error}}` carries over REST).
 * Thrown by every `LocalQdrant` method; the collection is unchanged when it is thrown.
 * @example
 * try { await engine.getCollection('missing'); } catch (e) { if (e instanceof LocalQdrantError && e.status === 404) {} }
 */
export class LocalQdrantError extends Error {
  override readonly name: string = 'LocalQdrantError';
  readonly status: number;
  readonly code: LocalQdrantErrorCode;
  /**
   * The request field the error names, in Qdrant's path syntax (`points[0].vector.?.indices`,
   * `query.?`), when it names one; Qdrant's own answer carries it in the message only.
   */
  readonly field: string | undefined;

  constructor(status: number, message: string, options?: { cause?: unknown; field?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = codeOfStatus(status);
    this.field = options?.field;
  }

  /** The body Qdrant answers with for this error, the same `data` an `ApiError` of the official client carries. */
  get data(): { status: { error: string }; time: number } {
    return { status: { error: this.message }, time: 0 };
  }
}

/** 404 `Not found: Collection `x` doesn't exist!` as Qdrant says it. */
export const collectionNotFound = (name: string) =>
  new LocalQdrantError(404, `Not found: Collection \`${name}\` doesn't exist!`);

/** The field a detail starts with (`points[0].vector.?.indices[2]: …`), if it starts with one. */
const fieldOf = (detail: string): string | undefined => /^([A-Za-z_$][\w$.?[\]]*): /.exec(detail)?.[1];

/** 400 for a request whose JSON does not fit the schema (Qdrant: "Format error in JSON body"). */
export const formatError = (detail: string) =>
  new LocalQdrantError(400, `Format error in JSON body: ${detail}`, { field: fieldOf(detail) });

/** 422 for a well-formed request that breaks a validation rule (Qdrant: "Validation error in JSON body"). */
export const validationError = (detail: string) =>
  new LocalQdrantError(422, `Validation error in JSON body: [${detail}]`, { field: fieldOf(detail) });

/** 422 for a path parameter that breaks a rule (a collection name too long, or with `/`). */
export const pathValidationError = (detail: string) =>
  new LocalQdrantError(422, `Validation error in path parameters: [${detail}]`);

/** 422 for a query parameter that breaks a rule (`timeout=0`). */
export const queryValidationError = (detail: string) =>
  new LocalQdrantError(422, `Validation error in query parameters: [${detail}]`);

/** 400 for a request that is well formed but wrong for the collection (Qdrant: "Wrong input"). */
export const wrongInput = (detail: string) => {
  // "Not existing vector name error: <name>": the field is the vector of that name.
  const vector = /^Not existing vector name error: (.*)$/.exec(detail)?.[1];
  return new LocalQdrantError(400, `Wrong input: ${detail}`, {
    ...(vector === undefined ? {} : { field: `vector.${vector}` }),
  });
};

/** 400 for a request Qdrant rejects as a bad request. */
export const badRequest = (detail: string) => new LocalQdrantError(400, `Bad request: ${detail}`);

/**
 * Another engine (in this or another process) has the data directory open; two engines over one
 * directory would overwrite each other's log and snapshot. `pid` is the holder's process id.
 * @example
 * try { await LocalQdrant.open(dir); } catch (e) { if (e instanceof DataDirectoryLockedError) console.error(e.pid); }
 */
export class DataDirectoryLockedError extends LocalQdrantError {
  override readonly name: string = 'DataDirectoryLockedError';

  constructor(
    readonly path: string,
    readonly pid: number | null,
  ) {
    super(
      409,
      `Conflict: the local Qdrant data directory ${path} is in use by ${
        pid === null ? 'another engine' : `process ${pid}`
      }; close that engine first or open another directory`,
    );
  }
}
