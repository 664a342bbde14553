import type { Schemas } from '@qdrant/js-client-rest';
import { avgDocLengthOf, SPARSE_VECTOR, sparseTextOf } from './collections.js';
import { call, runBounded, type VectorsContext } from './context.js';
import type { EmbeddingProvider } from './embeddings/provider.js';
import type { SparseVector } from './embeddings/sparse/bm25.js';
import { EmbeddingsError, VectorsValidationError } from './errors.js';
import { pointIdFor } from './ids.js';
import { checkFilter, checkList, stringCharsOver, VECTORS_LIMITS } from './limits.js';
import { type CollectionName, type CollectionPayloads, payloadSchemas } from './payloads.js';
import { checkCount, checkText, checkUuid, checkVectorLike, parseOrThrow } from './validation.js';

/** One source row to write: its payload, and either the text to embed or a ready vector. */
export interface UpsertRecord<C extends CollectionName> {
  payload: CollectionPayloads[C];
  /** Embedded with the collection's provider when `vector` is absent; stored as `payload.text` unless set. */
  text?: string;
  vector?: ArrayLike<number>;
  /** Defaults to the payload's source id field (`entity_id`, `interaction_id`, `document_id`). */
  sourceId?: string;
  /** Several points per source row (chunks of a document). Default 0. */
  chunk?: number;
}

/** Options of `upsert`. */
export interface UpsertOptions {
  /** Points per request. Default `createVectors({ write: { batchSize } })`, 256. */
  batchSize?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Wait until Qdrant has applied each batch. Default true. */
  wait?: boolean;
  /** Write into this version of the collection (built with `createVersion`) instead of the live alias. */
  version?: number;
  /** Embedder for texts (with `version`: the new model); must match the target's size. */
  embedder?: EmbeddingProvider;
  /** Vector size of the target; defaults to the embedder's or the spec's. */
  dims?: number;
}

/** What `upsert` wrote. */
export interface UpsertResult {
  collection: string;
  points: number;
  batches: number;
  /** The point id of each record, in order. */
  pointIds: string[];
}

/** Chunks of a source row: far more than any document is split into, and point ids stay distinct. */
const MAX_CHUNK = 1_000_000;
/** Source ids per delete request (a `match: any` filter of 10,000 UUIDs is ~400 KB). */
const DELETE_PAGE = 10_000;

/** Consecutive slices of at most `count` items and `bytes` estimated bytes (an item larger than that alone). */
function batches<T extends { bytes: number }>(items: readonly T[], count: number, bytes: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= count || size + item.bytes > bytes)) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Checks that a provider answered with one finite vector of the right size per text. */
export function checkEmbeddings(
  provider: EmbeddingProvider,
  texts: readonly string[],
  vectors: Float32Array[],
): void {
  if (vectors.length !== texts.length)
    throw new EmbeddingsError(
      provider.id,
      'BAD_RESPONSE',
      `returned ${vectors.length} vectors for ${texts.length} texts`,
    );
  for (const v of vectors) {
    if (v.length !== provider.dims)
      throw new EmbeddingsError(
        provider.id,
        'DIMENSION',
        `returned ${v.length} dimensions, expected ${provider.dims}`,
      );
    for (let i = 0; i < v.length; i++)
      if (!Number.isFinite(v[i]!))
        throw new EmbeddingsError(provider.id, 'BAD_RESPONSE', 'returned a non-finite number');
  }
}

/**
 * Validates every record, embeds the texts that have no vector, then upserts in batches with
 * bounded concurrency. Point ids derive from the source UUIDs, so a replay overwrites the same points.
 */
export async function upsertRecords<C extends CollectionName>(
  ctx: VectorsContext,
  collection: C,
  records: readonly UpsertRecord<C>[],
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  const spec = ctx.specs[collection];
  checkList(records, 'records', VECTORS_LIMITS.upsertRecords, 'records');
  const batchSize = checkCount(options.batchSize ?? ctx.write.batchSize, 'batchSize');
  const concurrency = checkCount(options.concurrency ?? ctx.write.concurrency, 'concurrency', 64);
  const embedder = options.embedder ?? ctx.embedders[collection];
  const target =
    options.version === undefined ? ctx.alias(collection) : ctx.physical(collection, options.version);
  let dims = options.dims ?? (options.embedder ? options.embedder.dims : spec.dims);
  if (options.version !== undefined && options.dims === undefined && !options.embedder) {
    // Another version may have another size (a new model): ask the collection itself.
    const info = await call(`read collection ${target}`, () => ctx.client.getCollection(target));
    const size = (info.config.params.vectors as { size?: unknown } | undefined)?.size;
    if (typeof size === 'number') dims = size;
  }

  const points: Array<{
    id: string;
    /** As given or embedded (`Float32Array`); copied into a `number[]` only for an HTTP client's JSON. */
    vector: number[] | Float32Array | Float64Array | null;
    sparse: SparseVector | null;
    payload: Record<string, unknown>;
    /** Estimated bytes of the point in a request body, for the batches' size. */
    bytes: number;
  }> = [];
  const toEmbed: Array<{ index: number; text: string }> = [];
  records.forEach((record, i) => {
    const field = `records[${i}]`;
    if (typeof record !== 'object' || record === null)
      throw new VectorsValidationError(field, 'must be an object');
    const payload = parseOrThrow(payloadSchemas[collection], record.payload, `${field}.payload`) as Record<
      string,
      unknown
    >;
    const sourceId = checkUuid(record.sourceId ?? payload[spec.sourceIdField], `${field}.sourceId`);
    const chunk = record.chunk ?? 0;
    if (!Number.isInteger(chunk) || chunk < 0 || chunk > MAX_CHUNK)
      throw new VectorsValidationError(`${field}.chunk`, `must be an integer from 0 to ${MAX_CHUNK}`);
    let vector: number[] | Float32Array | Float64Array | null = null;
    if (record.vector !== undefined) vector = checkVectorLike(record.vector, dims, `${field}.vector`);
    else if (record.text !== undefined)
      toEmbed.push({ index: i, text: checkText(record.text, `${field}.text`) });
    else throw new VectorsValidationError(field, 'needs a text to embed or a vector');
    if (record.text !== undefined && payload.text === undefined) payload.text = record.text;
    const payloadBytes = stringCharsOver(payload, VECTORS_LIMITS.payloadBytes)
      ? Number.POSITIVE_INFINITY
      : Buffer.byteLength(JSON.stringify(payload));
    if (payloadBytes > VECTORS_LIMITS.payloadBytes)
      throw new VectorsValidationError(
        `${field}.payload`,
        `must be at most ${VECTORS_LIMITS.payloadBytes} bytes as JSON (with the text)`,
      );
    // The sparse vector encodes the embedded text (or, for a ready vector, the payload's text).
    const sparseText = record.text ?? sparseTextOf(payload);
    const sparse =
      sparseText === undefined
        ? null
        : ctx.bm25.encodeDocument(sparseText, avgDocLengthOf(spec.bm25, payload));
    // A dense component takes up to ~24 bytes as JSON, a sparse one ~30.
    const bytes = payloadBytes + 24 * dims + 30 * (sparse?.indices.length ?? 0) + 64;
    points.push({ id: pointIdFor(collection, sourceId, chunk), vector, sparse, payload, bytes });
  });

  if (toEmbed.length > 0) {
    if (embedder.dims !== dims)
      throw new VectorsValidationError(
        'embedder',
        `produces ${embedder.dims} dimensions but the target has ${dims}`,
      );
    const texts = toEmbed.map((t) => t.text);
    const vectors = await embedder.embed(texts);
    checkEmbeddings(embedder, texts, vectors);
    toEmbed.forEach((t, j) => {
      points[t.index]!.vector = vectors[j]!;
    });
  }

  // The local engine in process takes the float arrays as they are (it copies them into its own
  // store); JSON needs plain arrays, made one batch at a time.
  const wire = (v: number[] | Float32Array | Float64Array): number[] =>
    ctx.floatArrays || Array.isArray(v) ? (v as number[]) : Array.from(v);
  const tasks: Array<() => Promise<void>> = [];
  for (const slice of batches(points, batchSize, VECTORS_LIMITS.requestBytes)) {
    tasks.push(async () => {
      const batch: Schemas['PointStruct'][] = slice.map((p) => ({
        id: p.id,
        vector: { '': wire(p.vector!), ...(p.sparse ? { [SPARSE_VECTOR]: p.sparse } : {}) },
        payload: p.payload,
      }));
      await call(`upsert into ${target}`, () =>
        ctx.client.upsert(target, { wait: options.wait ?? true, points: batch }),
      );
    });
  }
  await runBounded(tasks, concurrency);
  return {
    collection: target,
    points: points.length,
    batches: tasks.length,
    pointIds: points.map((p) => p.id),
  };
}

/** Deletes every point (all chunks) of the given source rows. */
export async function deleteBySourceIds(
  ctx: VectorsContext,
  collection: CollectionName,
  sourceIds: readonly string[],
): Promise<void> {
  checkList(sourceIds, 'sourceIds', VECTORS_LIMITS.sourceIds, 'UUIDs');
  const ids = sourceIds.map((id, i) => checkUuid(id, `sourceIds[${i}]`));
  const target = ctx.alias(collection);
  for (let i = 0; i < ids.length; i += DELETE_PAGE) {
    const page = ids.slice(i, i + DELETE_PAGE);
    await call(`delete from ${target}`, () =>
      ctx.client.delete(target, {
        wait: true,
        filter: { must: [{ key: ctx.specs[collection].sourceIdField, match: { any: page } }] },
      }),
    );
  }
}

const hasCondition = (filter: Schemas['Filter']): boolean =>
  (['must', 'should', 'must_not', 'min_should'] as const).some((k) => {
    const v = filter[k];
    return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null;
  });

/** Deletes the points matching a Qdrant filter; an empty filter is refused (it would delete everything). */
export async function deleteByFilter(
  ctx: VectorsContext,
  collection: CollectionName,
  filter: Schemas['Filter'],
): Promise<void> {
  checkFilter(filter, 'filter');
  if (!hasCondition(filter))
    throw new VectorsValidationError(
      'filter',
      'must have at least one condition (an empty filter would delete every point)',
    );
  const target = ctx.alias(collection);
  await call(`delete from ${target}`, () => ctx.client.delete(target, { wait: true, filter }));
}

/** Points read and deleted per round trip by `clearCollection`. */
const CLEAR_PAGE = 1_000;

/**
 * Deletes every point of one MonsterOS collection (through its alias, so only this prefix's),
 * a page of ids at a time; the collection, its indexes and aliases stay. Returns how many.
 */
export async function clearCollection(ctx: VectorsContext, collection: CollectionName): Promise<number> {
  const target = ctx.alias(collection);
  let deleted = 0;
  for (;;) {
    const page = await call(`scroll ${target}`, () =>
      ctx.client.scroll(target, { limit: CLEAR_PAGE, with_payload: false, with_vector: false }),
    );
    if (page.points.length === 0) return deleted;
    const ids = page.points.map((p) => p.id);
    await call(`delete from ${target}`, () => ctx.client.delete(target, { wait: true, points: ids }));
    deleted += ids.length;
  }
}
