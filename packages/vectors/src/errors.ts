import { MonsterosError } from '@monsteros/schema/errors';

/** Stable codes of the vectors package's errors. */
export type VectorsErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'DRIFT'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'EMBEDDINGS'
  | 'BACKEND';

/**
 * The base of every error @monsteros/vectors throws: a stable `code`, a message naming the
 * collection, field or provider and the rule (never an API key or a URL with credentials), and the `cause`.
 */
export class VectorsError extends MonsterosError<VectorsErrorCode> {
  override readonly name: string = 'VectorsError';
}

/** Input rejected before any request was sent: names the field and the rule it broke. */
export class VectorsValidationError extends VectorsError {
  override readonly name: string = 'VectorsValidationError';
  declare readonly field: string;
  declare readonly rule: string;
  constructor(field: string, rule: string, options?: { cause?: unknown }) {
    super('VALIDATION', `${field}: ${rule}`, { ...options, field, rule });
  }
}

/** The vector settings of a collection that `ensureCollections` compares with its spec. */
export interface VectorConfig {
  size: number;
  distance: string;
}

/**
 * A collection exists with a different vector size or distance than its spec. Raised by
 * `ensureCollections`, which never drops or recreates a collection: build a new version
 * (`createVersion`) and switch the alias instead.
 */
export class CollectionDriftError extends VectorsError {
  override readonly name = 'CollectionDriftError';
  constructor(
    readonly collection: string,
    readonly expected: VectorConfig,
    readonly actual: VectorConfig,
  ) {
    super(
      'DRIFT',
      `collection ${collection}: vectors are ${actual.size}/${actual.distance} but the spec says ${expected.size}/${expected.distance}; ` +
        'build a new version and switch the alias instead of changing it in place',
    );
  }
}

/** An embeddings provider failed: wrong dimension, timeout, bad answer or unreachable; `provider` names it. */
export class EmbeddingsError extends VectorsError {
  override readonly name = 'EmbeddingsError';
  /** With reason DIMENSION: the size the model returned. */
  readonly actualDims: number | undefined;
  constructor(
    readonly provider: string,
    readonly reason: 'DIMENSION' | 'TIMEOUT' | 'UNAVAILABLE' | 'BAD_RESPONSE' | 'REJECTED',
    message: string,
    options?: { cause?: unknown; actualDims?: number },
  ) {
    super(
      reason === 'TIMEOUT' ? 'TIMEOUT' : reason === 'UNAVAILABLE' ? 'UNAVAILABLE' : 'EMBEDDINGS',
      `embeddings provider ${provider}: ${message}`,
      options,
    );
    this.actualDims = options?.actualDims;
  }
}

/**
 * A collection's embedding model returns vectors of another size than the collection holds
 * (checked by `ensureCollections` before anything is written): names the collection, the model
 * and both sizes. Use a model of the collection's size, or build a new version of that size.
 */
export class EmbeddingDimensionError extends VectorsError {
  override readonly name = 'EmbeddingDimensionError';
  constructor(
    readonly collection: string,
    readonly model: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      'DRIFT',
      `collection ${collection} holds ${expected}-dimensional vectors but its embedding model ${model} returns ${actual}; ` +
        `configure a ${expected}-dimensional model for it, or build a version of size ${actual} (createVersion) and switch to it`,
    );
  }
}

/**
 * A collection's points were embedded by another model than the one configured for it now (same
 * size, so nothing else notices): comparing new queries with them would rank by noise. Raised by
 * `ensureCollections` (after ensuring the others), which never re-embeds on its own: run
 * `vectors.reembed(name)` once, or configure the recorded model again.
 */
export class EmbeddingModelChangedError extends VectorsError {
  override readonly name = 'EmbeddingModelChangedError';
  constructor(
    readonly collection: string,
    /** The model recorded in the collection's metadata (what its points were embedded with). */
    readonly recorded: string,
    /** The model configured for it now. */
    readonly configured: string,
  ) {
    super(
      'DRIFT',
      `collection ${collection} was embedded by ${recorded} but is configured with ${configured}; ` +
        `run vectors.reembed(name) (pnpm db:reembed <name> for the data layer) to re-embed its points into a new version and switch the alias, ` +
        `or configure ${recorded} again`,
    );
  }
}

/**
 * `reembed` refused to start: some points of the collection have no `payload.text` to embed with
 * the new model (written as ready vectors). Nothing was written; rewrite or delete those points.
 */
export class ReembedTextMissingError extends VectorsError {
  override readonly name = 'ReembedTextMissingError';
  constructor(
    readonly collection: string,
    readonly recorded: string | null,
    readonly configured: string,
    /** Points without `payload.text`. */
    readonly withoutText: number,
  ) {
    super(
      'VALIDATION',
      `collection ${collection}: ${withoutText} point(s) have no payload.text, so they cannot be re-embedded ` +
        `from ${recorded ?? 'an unrecorded model'} to ${configured}; rewrite them with their text (or delete them) first`,
    );
  }
}

/** Qdrant (or the local mode) refused or failed a request; `status` is its HTTP status when it answered. */
export class QdrantRequestError extends VectorsError {
  override readonly name = 'QdrantRequestError';
  constructor(
    code: VectorsErrorCode,
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

interface ApiErrorLike {
  status?: unknown;
  data?: { status?: { error?: unknown } | string };
  message?: unknown;
  code?: unknown;
  name?: unknown;
  cause?: unknown;
}

/**
 * Turns an error of the official client (ApiError, timeouts, fetch failures) or of the local
 * engine (LocalQdrantError) into a typed error of this package. `what` names the operation and
 * collection, e.g. "upsert into memory_embeddings".
 * @example
 * try { await client.upsert(name, body); } catch (e) { throw mapQdrantError(e, `upsert into ${name}`); }
 */
export function mapQdrantError(error: unknown, what: string): VectorsError {
  if (error instanceof VectorsError) return error;
  const e = (error ?? {}) as ApiErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status !== undefined) {
    const body = e.data?.status;
    const detail =
      typeof body === 'object' && typeof body?.error === 'string'
        ? body.error
        : typeof e.message === 'string'
          ? e.message
          : `HTTP ${status}`;
    const code: VectorsErrorCode =
      status === 404
        ? 'NOT_FOUND'
        : status === 409
          ? 'CONFLICT'
          : status === 408 || status === 504
            ? 'TIMEOUT'
            : status === 503 || status === 502
              ? 'UNAVAILABLE'
              : status >= 400 && status < 500
                ? 'VALIDATION'
                : 'BACKEND';
    return new QdrantRequestError(code, status, `${what}: ${detail}`, { cause: error });
  }
  const name = String(e.name ?? '');
  const message = String(e.message ?? error);
  if (/Timeout/i.test(name) || /timed? ?out|aborted/i.test(message)) {
    return new QdrantRequestError('TIMEOUT', undefined, `${what}: Qdrant did not answer in time`, {
      cause: error,
    });
  }
  const causeCode = String((e.cause as { code?: unknown } | undefined)?.code ?? e.code ?? '');
  if (
    /ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|UND_ERR/.test(causeCode) ||
    /fetch failed/i.test(message)
  ) {
    return new QdrantRequestError('UNAVAILABLE', undefined, `${what}: Qdrant is unreachable`, {
      cause: error,
    });
  }
  return new QdrantRequestError('BACKEND', undefined, `${what}: ${message}`, { cause: error });
}
