// createVectors: the vectors side of MonsterOS. Checks the options, builds each collection's
// embedder, opens the Qdrant client (a server, the embedded local engine, or yours) and wires
// provisioning, writes, searches and the strategies on one shared context. Its options are in
// vectors-options.ts, its public types in vectors-types.ts, its parts (embedders, client, stats)
// in src/vectors/.
import { acceptsFloatArrays } from '@monsteros/qdrant-local';
import type { VectorsContext } from './context.js';
import { createBm25Encoder } from './embeddings/sparse/bm25.js';
import { VectorsValidationError } from './errors.js';
import { checkList, VECTORS_LIMITS } from './limits.js';
import { createVersion, dropVersion, ensureCollections, reembed, switchVersion } from './provisioning.js';
import { searchCollection } from './search.js';
import { LatencyRecorder } from './stats.js';
import { characterContextSearch } from './strategies/character-context.js';
import { crossCharacterSearch } from './strategies/cross-character.js';
import { hippoRagMemorySearch } from './strategies/hippo-rag.js';
import { checkCollection, checkText } from './validation.js';
import { collectionEmbedders } from './vectors/embedders.js';
import { openQdrant } from './vectors/open-qdrant.js';
import { readVectorsStats } from './vectors/read-stats.js';
import { resolveVectorsOptions, type VectorsOptions } from './vectors-options.js';
import type { Vectors } from './vectors-types.js';
import { clearCollection, deleteByFilter, deleteBySourceIds, upsertRecords } from './writes.js';

/**
 * Creates the vectors layer over Qdrant or the embedded local mode — the same API either way.
 * Call `ensureCollections()` once at start; then upsert, search and use the strategies.
 * @example
 * const vectors = await createVectors({ qdrant: { local: '.data/vectors' } });
 * await vectors.ensureCollections();
 * const hits = await vectors.characterContextSearch('the dragon at the pass', { character: 'sage' });
 */
export async function createVectors(options: VectorsOptions): Promise<Vectors> {
  const settings = resolveVectorsOptions(options);
  const { prefix, specs } = settings;
  const { embedders, cached } = collectionEmbedders(
    specs,
    options.embeddings?.providers,
    settings.embeddingCacheSize,
  );
  const { client, engine } = await openQdrant(options.qdrant);

  const ctx: VectorsContext = {
    client,
    floatArrays: acceptsFloatArrays(client),
    specs,
    profiles: settings.profiles,
    embedders,
    bm25: createBm25Encoder(options.sparse),
    latency: new LatencyRecorder(settings.latencyWindow),
    write: settings.write,
    alias: (name) => `${prefix}${name}`,
    physical: (name, version) => `${prefix}${name}__v${version}`,
  };

  return {
    specs,
    client,
    collectionName: (name) => ctx.alias(checkCollection(name)),
    ensureCollections: async () => ensureCollections(ctx),
    reembed: async (name) => reembed(ctx, checkCollection(name)),
    createVersion: async (name, version, opts) => {
      if (opts?.model !== undefined && (typeof opts.model !== 'string' || opts.model.length === 0))
        throw new VectorsValidationError(
          'model',
          'must be a non-empty string (the model of an EmbeddingProvider, else its id)',
        );
      return createVersion(
        ctx,
        checkCollection(name),
        version,
        opts?.dims ?? specs[checkCollection(name)].dims,
        opts?.model ?? null,
      );
    },
    switchVersion: async (name, version) => switchVersion(ctx, checkCollection(name), version),
    dropVersion: async (name, version) => dropVersion(ctx, checkCollection(name), version),
    upsert: async (collection, records, opts) => {
      checkCollection(collection);
      return upsertRecords(ctx, collection, records, opts);
    },
    deleteBySourceIds: async (collection, ids) => deleteBySourceIds(ctx, checkCollection(collection), ids),
    deleteByFilter: async (collection, filter) => deleteByFilter(ctx, checkCollection(collection), filter),
    clear: async (collection) => clearCollection(ctx, checkCollection(collection)),
    search: async (collection, query, opts) => {
      checkCollection(collection);
      return searchCollection(ctx, collection, query, opts);
    },
    hippoRagMemorySearch: async (query, opts) => hippoRagMemorySearch(ctx, query, opts),
    characterContextSearch: async (query, opts) => characterContextSearch(ctx, query, opts),
    crossCharacterSearch: async (query, opts) => crossCharacterSearch(ctx, query, opts),
    embed: async (collection, texts) => {
      const c = checkCollection(collection);
      checkList(texts, 'texts', VECTORS_LIMITS.embedTexts, 'texts');
      texts.forEach((t, i) => {
        checkText(t, `texts[${i}]`);
      });
      return embedders[c].embed(texts);
    },
    stats: () => readVectorsStats(ctx, engine, cached),
    close: async () => {
      await engine?.close();
    },
  };
}
