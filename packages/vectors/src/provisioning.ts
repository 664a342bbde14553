import type { Schemas } from '@qdrant/js-client-rest';
import {
  avgDocLengthOf,
  BM25_ENCODING_KEY,
  bm25EncodingOf,
  type CollectionSpec,
  createCollectionBody,
  EMBEDDING_MODEL_KEY,
  LEGACY_BM25_LENGTHS,
  type PayloadIndexSpec,
  SPARSE_VECTOR,
  sparseTextOf,
} from './collections.js';
import { call, type VectorsContext } from './context.js';
import type { CachedEmbeddingProvider } from './embeddings/cache.js';
import {
  CollectionDriftError,
  EmbeddingDimensionError,
  EmbeddingModelChangedError,
  EmbeddingsError,
  ReembedTextMissingError,
  VectorsError,
  VectorsValidationError,
} from './errors.js';
import type { CollectionName } from './payloads.js';

/** What `ensureCollections` found and did for one collection. */
export interface EnsuredCollection {
  name: CollectionName;
  alias: string;
  /** The physical collection behind the alias. */
  collection: string;
  created: boolean;
  /** Payload indexes that were missing and have been created. */
  indexesAdded: string[];
  /** Indexes that exist with another type than the spec's (left alone: changing one means rebuilding it). */
  indexMismatches: Array<{ field: string; expected: string; actual: string }>;
  /**
   * Set when the alias points to an older version than the spec's (build and `switchVersion` to
   * move). A newer live version (made by a sparse migration) is not pending.
   */
  specVersionPending: number | null;
  /**
   * Set when the live collection had no sparse vector, or sparse vectors encoded with other
   * document lengths than the spec's `bm25` (its metadata's `monsteros_bm25`), and was migrated:
   * every point copied into `to` (a new version) with its sparse vector encoded from the payload text, then the alias
   * switched. `from` is kept (drop it with `dropVersion` once satisfied). `withoutText`: points
   * with no payload text, copied with their dense vector only.
   */
  migrated: { from: string; to: string; points: number; withoutText: number } | null;
  /** The embedding model recorded in the live collection's metadata (the configured one). */
  model: string;
  /**
   * True when the live collection had no recorded model (created by older code) and the
   * configured one was recorded now, without re-embedding: its points are assumed to come from it.
   */
  modelRecorded: boolean;
}

/** What `reembed` did: every point of `from` embedded again into `to`, then the alias switched. */
export interface ReembedResult {
  name: CollectionName;
  /** The physical collection the alias pointed to before (kept; drop it with `dropVersion`). */
  from: string;
  /** The new version, now behind the alias. */
  to: string;
  /** The model `from` recorded (null when it recorded none). */
  fromModel: string | null;
  /** The configured model, recorded in `to`. */
  toModel: string;
  points: number;
}

const indexType = (spec: PayloadIndexSpec): string => (typeof spec === 'string' ? spec : spec.type);

const isConflict = (e: unknown) => e instanceof VectorsError && e.code === 'CONFLICT';

function recordedModelOf(info: Schemas['CollectionInfo']): string | null {
  const meta = info.config.metadata as Record<string, unknown> | null | undefined;
  const model = meta?.[EMBEDDING_MODEL_KEY];
  return typeof model === 'string' && model.length > 0 ? model : null;
}

function vectorConfigOf(info: Schemas['CollectionInfo']): { size: number; distance: string } | null {
  const v = info.config.params.vectors as { size?: unknown; distance?: unknown } | undefined;
  if (v && typeof v.size === 'number' && typeof v.distance === 'string')
    return { size: v.size, distance: v.distance };
  return null;
}

async function aliasMap(ctx: VectorsContext): Promise<Map<string, string>> {
  const { aliases } = await call('list aliases', () => ctx.client.getAliases());
  return new Map(aliases.map((a) => [a.alias_name, a.collection_name]));
}

async function exists(ctx: VectorsContext, name: string): Promise<boolean> {
  const r = await call(`check collection ${name}`, () => ctx.client.collectionExists(name));
  return r.exists;
}

/**
 * Creates `physical` from the spec when missing (a concurrent creator winning the race is fine),
 * then checks its vectors and adds missing payload indexes. Never drops or recreates.
 */
async function ensurePhysical(
  ctx: VectorsContext,
  spec: CollectionSpec,
  physical: string,
  dims: number,
  /** The embedding model recorded in the metadata if this call creates the collection. */
  model: string | null,
): Promise<{
  created: boolean;
  indexesAdded: string[];
  indexMismatches: EnsuredCollection['indexMismatches'];
  hasSparse: boolean;
  recordedModel: string | null;
  /** How its sparse vectors were encoded (`bm25EncodingOf`), from its metadata; null when unknown. */
  bm25Encoding: string | null;
}> {
  let created = false;
  if (!(await exists(ctx, physical))) {
    try {
      await call(`create collection ${physical}`, () =>
        ctx.client.createCollection(physical, createCollectionBody(spec, dims, model)),
      );
      created = true;
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
  }
  const info = await call(`read collection ${physical}`, () => ctx.client.getCollection(physical));
  const actual = vectorConfigOf(info) ?? { size: -1, distance: 'named vectors' };
  const expected = { size: dims, distance: spec.distance };
  if (actual.size !== expected.size || actual.distance !== expected.distance)
    throw new CollectionDriftError(physical, expected, actual);
  const schema = (info.payload_schema ?? {}) as Record<string, { data_type?: string }>;
  const indexesAdded: string[] = [];
  const indexMismatches: EnsuredCollection['indexMismatches'] = [];
  for (const [field, fieldSchema] of Object.entries(spec.payloadIndexes)) {
    const existing = schema[field];
    if (existing) {
      if (existing.data_type !== indexType(fieldSchema))
        indexMismatches.push({ field, expected: indexType(fieldSchema), actual: String(existing.data_type) });
      continue;
    }
    await call(`create payload index ${field} on ${physical}`, () =>
      ctx.client.createPayloadIndex(physical, {
        field_name: field,
        field_schema: fieldSchema as Schemas['PayloadFieldSchema'],
        wait: true,
      }),
    );
    indexesAdded.push(field);
  }
  const sparse = info.config.params.sparse_vectors as Record<string, unknown> | null | undefined;
  const metadata = (info.config as { metadata?: Record<string, unknown> | null }).metadata;
  const recorded = metadata?.[BM25_ENCODING_KEY];
  return {
    created,
    indexesAdded,
    indexMismatches,
    hasSparse: sparse?.[SPARSE_VECTOR] !== undefined,
    recordedModel: recordedModelOf(info),
    // Our collections always had metadata: one without the key predates it (8 terms). One with no
    // metadata at all (made by hand, or a server that keeps none) is not re-encoded now: on a server
    // that keeps none it could not be recorded and would repeat at every start; elsewhere the
    // embedding model recorded below gives it metadata, and the next start re-encodes it once.
    bm25Encoding:
      typeof recorded === 'string'
        ? recorded
        : metadata && Object.keys(metadata).length > 0
          ? bm25EncodingOf(LEGACY_BM25_LENGTHS)
          : null,
  };
}

/** Points copied per page by a migration. */
const MIGRATION_PAGE = 500;

type ScrolledPoint = Schemas['ScoredPoint'] | Schemas['Record'];

/**
 * Scrolls every point of `from` (payload, vectors when `withVector`), turns each page into points
 * with `convert` and upserts them into `to`. Returns how many points were copied.
 */
async function copyPages(
  ctx: VectorsContext,
  from: string,
  to: string,
  withVector: boolean,
  convert: (points: ScrolledPoint[]) => Promise<Schemas['PointStruct'][]> | Schemas['PointStruct'][],
): Promise<number> {
  let points = 0;
  let offset: Schemas['ExtendedPointId'] | undefined;
  for (;;) {
    const page = await call(`scroll ${from}`, () =>
      ctx.client.scroll(from, {
        limit: MIGRATION_PAGE,
        with_payload: true,
        with_vector: withVector,
        ...(offset === undefined ? {} : { offset }),
      }),
    );
    const batch = page.points.length > 0 ? await convert(page.points) : [];
    if (batch.length > 0)
      await call(`upsert into ${to}`, () => ctx.client.upsert(to, { wait: true, points: batch }));
    points += batch.length;
    const next = page.next_page_offset;
    if (next === null || next === undefined) return points;
    offset = next as Schemas['ExtendedPointId'];
  }
}

/**
 * Copies a collection without a sparse vector (or with an older BM25 encoding) into a new version
 * that has one as the spec encodes it, re-encoding each
 * point's sparse vector from its payload text (dense vectors and payloads copied as they are,
 * same point ids), then moves the alias. Idempotent: a rerun rewrites the same points.
 */
async function migrateToSparse(
  ctx: VectorsContext,
  spec: CollectionSpec,
  from: string,
  dims: number,
  model: string,
): Promise<NonNullable<EnsuredCollection['migrated']>> {
  const fromVersion = Number(/__v(\d+)$/.exec(from)?.[1] ?? 0);
  const version = Math.max(spec.version, fromVersion + 1);
  const to = ctx.physical(spec.name, version);
  await ensurePhysical(ctx, spec, to, dims, model);
  let withoutText = 0;
  const points = await copyPages(ctx, from, to, true, (page) =>
    page.map((p) => {
      const payload = (p.payload ?? {}) as Record<string, unknown>;
      const text = sparseTextOf(payload);
      if (text === undefined) withoutText++;
      const dense = Array.isArray(p.vector)
        ? (p.vector as number[])
        : (p.vector as Record<string, number[]>)[''];
      return {
        id: p.id,
        vector: {
          ...(dense ? { '': dense } : {}),
          ...(text === undefined
            ? {}
            : { [SPARSE_VECTOR]: ctx.bm25.encodeDocument(text, avgDocLengthOf(spec.bm25, payload)) }),
        },
        payload,
      };
    }),
  );
  await switchVersion(ctx, spec.name, version);
  return { from, to, points, withoutText };
}

/** The text embedded once per model at start to learn the size it really returns. */
const PROBE_TEXT = 'MonsterOS embedding dimension check';

/**
 * Embeds one probe text with each distinct model and compares the size it returns with each
 * collection it serves (a server may ignore the requested `dimensions`). Throws
 * `EmbeddingDimensionError` naming the collection, the model and both sizes; runs before any write.
 */
async function checkEmbedders(ctx: VectorsContext): Promise<void> {
  const byProvider = new Map<CachedEmbeddingProvider, CollectionName[]>();
  for (const spec of Object.values(ctx.specs)) {
    const provider = ctx.embedders[spec.name];
    byProvider.set(provider, [...(byProvider.get(provider) ?? []), spec.name]);
  }
  for (const [provider, names] of byProvider) {
    let actual: number;
    try {
      const [vector] = await provider.embed([PROBE_TEXT]);
      actual = vector?.length ?? 0;
    } catch (error) {
      if (!(error instanceof EmbeddingsError) || error.actualDims === undefined) throw error;
      actual = error.actualDims;
    }
    for (const name of names)
      if (actual !== ctx.specs[name].dims)
        throw new EmbeddingDimensionError(name, provider.id, ctx.specs[name].dims, actual);
  }
}

/**
 * Makes every MonsterOS collection exist behind its alias with its spec's vectors and indexes,
 * after checking each embedding model's real output size (`EmbeddingDimensionError`), and
 * migrates collections from before sparse vectors. Idempotent and safe to run from several processes. Throws `CollectionDriftError` (after
 * ensuring the others) when a collection's size or distance differs from its spec.
 */
export async function ensureCollections(ctx: VectorsContext): Promise<EnsuredCollection[]> {
  await checkEmbedders(ctx);
  const aliases = await aliasMap(ctx);
  const out: EnsuredCollection[] = [];
  let drift: CollectionDriftError | EmbeddingModelChangedError | null = null;
  for (const spec of Object.values(ctx.specs)) {
    const alias = ctx.alias(spec.name);
    let target = aliases.get(alias);
    let createdAlias = false;
    if (target === undefined) {
      // A plain collection already named like the alias (created by hand or by older code) is used as is.
      if (await exists(ctx, alias)) target = alias;
      else {
        target = ctx.physical(spec.name, spec.version);
        createdAlias = true;
      }
    }
    const model = ctx.embedders[spec.name].model;
    try {
      const { hasSparse, bm25Encoding, recordedModel, ...result } = await ensurePhysical(
        ctx,
        spec,
        target,
        spec.dims,
        model,
      );
      if (createdAlias) {
        try {
          const physical = target;
          await call(`create alias ${alias}`, () =>
            ctx.client.updateCollectionAliases({
              actions: [{ create_alias: { alias_name: alias, collection_name: physical } }],
            }),
          );
        } catch (error) {
          // Another process created it meanwhile; use what it points to.
          if (!isConflict(error)) throw error;
          target = (await aliasMap(ctx)).get(alias) ?? target;
        }
      }
      // Points embedded by another model than the configured one: refuse (reembed migrates).
      if (recordedModel !== null && recordedModel !== model)
        throw new EmbeddingModelChangedError(target, recordedModel, model);
      // No recorded model (created before models were recorded): assume the configured one made it.
      let modelRecorded = false;
      if (recordedModel === null) {
        const physical = target;
        await call(`record the embedding model of ${physical}`, () =>
          ctx.client.updateCollection(physical, { metadata: { [EMBEDDING_MODEL_KEY]: model } }),
        );
        modelRecorded = true;
      }
      // A collection from before sparse vectors (behind the alias) moves to a new version that has
      // them; one whose sparse vectors were encoded with other document lengths, to a re-encoded one.
      let migrated: EnsuredCollection['migrated'] = null;
      const reencode = bm25Encoding !== null && bm25Encoding !== bm25EncodingOf(spec.bm25);
      if ((!hasSparse || reencode) && target !== alias) {
        migrated = await migrateToSparse(ctx, spec, target, spec.dims, model);
        target = migrated.to;
      }
      const version = /__v(\d+)$/.exec(target)?.[1];
      out.push({
        name: spec.name,
        alias,
        collection: target,
        ...result,
        specVersionPending: version !== undefined && Number(version) < spec.version ? spec.version : null,
        migrated,
        model,
        modelRecorded,
      });
    } catch (error) {
      if (!(error instanceof CollectionDriftError) && !(error instanceof EmbeddingModelChangedError))
        throw error;
      drift ??= error;
    }
  }
  if (drift) throw drift;
  return out;
}

/**
 * Builds version `version` of a collection beside the live one (not yet behind the alias), with
 * `dims` for a new model; fill it with `upsert(…, { version })`, then `switchVersion`.
 */
export async function createVersion(
  ctx: VectorsContext,
  name: CollectionName,
  version: number,
  dims: number,
  model: string | null = null,
): Promise<string> {
  if (!Number.isInteger(version) || version < 1)
    throw new VectorsValidationError('version', 'must be a positive integer');
  if (!Number.isInteger(dims) || dims < 1 || dims > 65_536)
    throw new VectorsValidationError('dims', 'must be an integer from 1 to 65536');
  const physical = ctx.physical(name, version);
  await ensurePhysical(ctx, ctx.specs[name], physical, dims, model);
  return physical;
}

/** Points the alias at `version` in one atomic alias operation; readers never see a gap. */
export async function switchVersion(
  ctx: VectorsContext,
  name: CollectionName,
  version: number,
): Promise<void> {
  const physical = ctx.physical(name, version);
  if (!(await exists(ctx, physical)))
    throw new VectorsValidationError('version', `collection ${physical} does not exist; createVersion first`);
  const alias = ctx.alias(name);
  const current = (await aliasMap(ctx)).get(alias);
  if (current === physical) return;
  if (current === undefined && (await exists(ctx, alias)))
    throw new VectorsValidationError(
      'alias',
      `${alias} is a collection, not an alias; it cannot be switched`,
    );
  await call(`switch alias ${alias} to ${physical}`, () =>
    ctx.client.updateCollectionAliases({
      actions: [
        ...(current === undefined ? [] : [{ delete_alias: { alias_name: alias } }]),
        { create_alias: { alias_name: alias, collection_name: physical } },
      ],
    }),
  );
}

/** Deletes an old version that no alias points to. Refuses the live one. */
export async function dropVersion(
  ctx: VectorsContext,
  name: CollectionName,
  version: number,
): Promise<boolean> {
  const physical = ctx.physical(name, version);
  const alias = ctx.alias(name);
  if ((await aliasMap(ctx)).get(alias) === physical)
    throw new VectorsValidationError(
      'version',
      `${physical} is live behind ${alias}; switch to another version first`,
    );
  return call(`drop collection ${physical}`, () => ctx.client.deleteCollection(physical));
}

/**
 * Re-embeds every point of a collection with its configured model: counts the points without
 * `payload.text` first (any → `ReembedTextMissingError`, nothing written), creates a new version
 * (the first free `__v<n>` above the live one and at least the spec's) recording the model, copies
 * every point page by page (500) with the same id and payload, its dense vector embedded from
 * `payload.text` and its sparse vector encoded from it, then switches the alias. The old version
 * is kept. Returns null when the live collection already records the configured model.
 */
export async function reembed(ctx: VectorsContext, name: CollectionName): Promise<ReembedResult | null> {
  const spec = ctx.specs[name];
  const provider = ctx.embedders[name];
  const alias = ctx.alias(name);
  const from = (await aliasMap(ctx)).get(alias);
  if (from === undefined)
    throw new VectorsValidationError(
      'collection',
      (await exists(ctx, alias))
        ? `${alias} is a collection, not an alias; re-embedding needs versions behind an alias`
        : `${alias} does not exist; ensureCollections first`,
    );
  const info = await call(`read collection ${from}`, () => ctx.client.getCollection(from));
  const fromModel = recordedModelOf(info);
  if (fromModel === provider.model) return null;
  const missing = await call(`count points without text in ${from}`, () =>
    ctx.client.count(from, { exact: true, filter: { must: [{ is_empty: { key: 'text' } }] } }),
  );
  if (missing.count > 0) throw new ReembedTextMissingError(from, fromModel, provider.model, missing.count);
  let version = Math.max(spec.version, Number(/__v(\d+)$/.exec(from)?.[1] ?? 0) + 1);
  while (await exists(ctx, ctx.physical(name, version))) version++;
  const to = ctx.physical(name, version);
  await ensurePhysical(ctx, spec, to, spec.dims, provider.model);
  const points = await copyPages(ctx, from, to, false, async (page) => {
    const rows = page.map((p) => {
      const payload = (p.payload ?? {}) as Record<string, unknown>;
      const text = payload.text;
      // Counted above; a point written meanwhile without text stops the run before the switch.
      if (typeof text !== 'string' || text.length === 0)
        throw new ReembedTextMissingError(from, fromModel, provider.model, 1);
      return { id: p.id, payload, text };
    });
    const dense = await provider.embed(rows.map((r) => r.text));
    if (dense.length !== rows.length || dense.some((v) => v.length !== spec.dims))
      throw new EmbeddingsError(
        provider.id,
        'DIMENSION',
        `returned ${dense.length} vectors for ${rows.length} texts, or not of size ${spec.dims}`,
      );
    return rows.map((r, i) => ({
      id: r.id,
      vector: {
        '': Array.from(dense[i]!),
        [SPARSE_VECTOR]: ctx.bm25.encodeDocument(r.text, avgDocLengthOf(spec.bm25, r.payload)),
      },
      payload: r.payload,
    }));
  });
  await switchVersion(ctx, name, version);
  return { name, from, to, fromModel, toModel: provider.model, points };
}
