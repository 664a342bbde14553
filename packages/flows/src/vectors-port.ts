// The flows' vector store (ports.ts) on @monsteros/vectors: character memories in
// `character_memories` (point id derived from the interaction, so replays overwrite), achievement
// grants among the user's entities in `memory_embeddings`.
import {
  type CharacterMemoryPayload,
  createOpenAIEmbeddings,
  createVectors,
  type EmbeddingProvider,
  pointIdFor,
  type Vectors,
  type VectorsOptions,
} from '@monsteros/vectors';
import type { DataLayerConfig } from './data-layer-config.js';
import type { StoredMemory, VectorsPort } from './ports.js';

const SCROLL_PAGE = 1_000;

/**
 * Recall threshold with the built-in lexical embedder: between the related pairs' p10 (0.096) and
 * the unrelated pairs' p90 (0.095) of the vectors eval, so about 90% of related memories pass the
 * dense prefetch and 90% of unrelated ones do not.
 */
const LEXICAL_RECALL_THRESHOLD = 0.1;

export interface VectorsPortOptions {
  /**
   * Least dense similarity of a recalled memory (on the dense prefetch of the hybrid recall; the
   * BM25 prefetch has no threshold). Default per embedder: `LEXICAL_RECALL_THRESHOLD` (0.1) with
   * the built-in lexical embedder, where `pnpm --filter @monsteros/vectors eval` measures related
   * question–memory pairs at p10 0.096 / p50 0.316 and unrelated ones at p90 0.095 / p95 0.134
   * (0.25 dropped a third of the related pairs); with an embeddings server, the
   * `character_context_search` profile's (0.8) until that model's distribution is measured with
   * the same command (`EMBEDDINGS_URL=… pnpm --filter @monsteros/vectors eval`).
   */
  recallThreshold?: number;
  /** Extra createVectors options (e.g. providers in tests). */
  vectors?: Partial<VectorsOptions>;
  /** Wraps the store before the port uses it (the data layer times its calls this way). */
  instrument?: (vectors: Vectors) => Vectors;
}

/** The id of the consolidated memory whose first (smallest) interaction id is `interactionId`. */
export function consolidatedPointId(interactionId: string): string {
  return pointIdFor('character_memories', interactionId, 1);
}

/**
 * The `createVectors` options of a configuration: Qdrant (QDRANT_URL, else the local mode) and the
 * embeddings server's models (EMBEDDINGS_URL), as the data layer and `pnpm db:reembed` use them.
 */
export function vectorsOptionsOf(config: DataLayerConfig): VectorsOptions {
  let embeddings: VectorsOptions['embeddings'];
  if (config.embeddingsUrl) {
    // One model per collection (EMBEDDINGS_MODEL, or the collection's override), each asked for
    // the collection's size; ensureCollections checks what it really returns before any write.
    const provider = (model: string | undefined, dims: number): EmbeddingProvider =>
      createOpenAIEmbeddings({
        url: config.embeddingsUrl!,
        model: model ?? config.embeddingsModel ?? 'nomic-embed-text',
        dims,
        sendDimensions: true,
        ...(config.embeddingsApiKey ? { apiKey: config.embeddingsApiKey } : {}),
      });
    embeddings = {
      providers: {
        memory_embeddings: provider(config.embeddingsModelMemoryEmbeddings, 768),
        character_memories: provider(config.embeddingsModelCharacterMemories, 384),
        document_vectors: provider(config.embeddingsModelDocumentVectors, 1024),
      },
    };
  }
  return {
    qdrant: config.qdrantUrl
      ? { url: config.qdrantUrl, ...(config.qdrantApiKey ? { apiKey: config.qdrantApiKey } : {}) }
      : { local: config.localVectorsPath },
    ...(embeddings ? { embeddings } : {}),
  };
}

/** Builds the vectors store from the configuration and wraps it as the flows' port. */
export async function createVectorsPort(
  config: DataLayerConfig,
  options: VectorsPortOptions = {},
): Promise<VectorsPort> {
  const vectors = await createVectors({ ...vectorsOptionsOf(config), ...options.vectors });
  const provisioning = lazyProvisioning(() => vectors.ensureCollections().then(() => {}));
  try {
    await provisioning.ensure();
  } catch (error) {
    // Qdrant unreachable at start: the data layer starts and degrades, as with Redis or PostgreSQL
    // down; the collections are provisioned on the first call once it answers. Anything else
    // (a refused API key, a collection with other vector settings) stays fatal.
    if ((error as { code?: unknown }).code !== 'UNAVAILABLE') {
      await vectors.close().catch(() => {});
      throw error;
    }
  }
  const threshold = options.recallThreshold ?? (config.embeddingsUrl ? undefined : LEXICAL_RECALL_THRESHOLD);
  const port = vectorsPort(options.instrument ? options.instrument(vectors) : vectors, threshold);
  return provisioning.done() ? port : provisionedFirst(port, provisioning.ensure);
}

/** `ensure` runs `provision` until it succeeded once; concurrent callers share one attempt. */
function lazyProvisioning(provision: () => Promise<void>): { ensure(): Promise<void>; done(): boolean } {
  let done = false;
  let attempt: Promise<void> | null = null;
  return {
    done: () => done,
    ensure() {
      if (done) return Promise.resolve();
      attempt ??= provision().then(
        () => {
          done = true;
        },
        (error: unknown) => {
          attempt = null;
          throw error;
        },
      );
      return attempt;
    },
  };
}

/** The port with every store call preceded by `ensure` (the collections, once Qdrant answers). */
function provisionedFirst(port: VectorsPort, ensure: () => Promise<void>): VectorsPort {
  const wrapped = { ...port } as Record<string, unknown>;
  for (const [name, value] of Object.entries(port)) {
    if (typeof value !== 'function' || name === 'close' || name === 'health') continue;
    wrapped[name] = async (...args: unknown[]) => {
      await ensure();
      return (value as (...a: unknown[]) => unknown).apply(port, args);
    };
  }
  wrapped.ready = ensure;
  return wrapped as unknown as VectorsPort;
}

interface StoredPayload extends CharacterMemoryPayload {
  merged_from?: string[];
}

/** The achievement points of `memory_embeddings` (the rest are the memory graph's). */
const ACHIEVEMENTS = { key: 'entity_type', match: { value: 'achievement' } };

/** The port over an existing Vectors instance. */
export function vectorsPort(vectors: Vectors, recallThreshold?: number): VectorsPort {
  const memories = () => vectors.collectionName('character_memories');

  /** The `entity_id`s of the `memory_embeddings` points that match `filter`. */
  async function memoryEmbeddingIds(filter: Record<string, unknown>): Promise<Set<string>> {
    const ids = new Set<string>();
    for await (const p of scroll(filter, false, vectors.collectionName('memory_embeddings'))) {
      ids.add(String((p.payload as { entity_id?: string } | null)?.entity_id));
    }
    return ids;
  }

  async function* scroll(
    filter: Record<string, unknown> | undefined,
    withVector: boolean,
    collection = memories(),
  ) {
    let offset: string | number | undefined;
    for (;;) {
      const page = await vectors.client.scroll(collection, {
        limit: SCROLL_PAGE,
        with_payload: true,
        with_vector: withVector,
        ...(filter ? { filter } : {}),
        ...(offset !== undefined ? { offset } : {}),
      });
      for (const p of page.points) yield p;
      if (page.next_page_offset === null || page.next_page_offset === undefined) return;
      offset = page.next_page_offset as string | number;
    }
  }

  const toStored = (p: {
    id: string | number;
    payload?: Record<string, unknown> | null;
    vector?: unknown;
  }): StoredMemory => {
    const payload = (p.payload ?? {}) as unknown as StoredPayload;
    return {
      pointId: String(p.id),
      interactionId: payload.interaction_id,
      character: payload.character_name,
      text: payload.text ?? '',
      learningValue: payload.learning_value,
      createdAt: payload.timestamp,
      // The dense vector alone is a plain array; beside the sparse one it is the map's "" entry.
      vector: Float32Array.from(
        (Array.isArray(p.vector) ? p.vector : (p.vector as Record<string, number[]>)['']) as number[],
      ),
      mergedFrom: payload.merged_from ?? [payload.interaction_id],
    };
  };

  return {
    store: vectors,
    async recall(character, query, limit) {
      const hits = await vectors.characterContextSearch(query, {
        character,
        limit,
        ...(recallThreshold !== undefined ? { scoreThreshold: recallThreshold } : {}),
      });
      return hits.map((h) => ({
        interactionId: h.payload.interaction_id,
        text: h.payload.text ?? '',
        score: h.score,
      }));
    },

    async remember(list) {
      if (!list.length) return;
      await vectors.upsert(
        'character_memories',
        list.map((m) => ({
          text: m.text,
          payload: {
            interaction_id: m.interactionId,
            character_name: m.character,
            memory_type: 'interaction',
            user_context: `user:${m.userId}`,
            learning_value: m.learningValue,
            timestamp: m.createdAt,
            text: m.summary ?? m.text,
          },
        })),
      );
    },

    async setLearningValues(values) {
      // One request per distinct value; the filter reaches a memory by its interaction (a
      // consolidated memory keeps the id of the member it kept; merged ones are gone).
      const byValue = new Map<number, string[]>();
      for (const v of values)
        byValue.set(v.learningValue, [...(byValue.get(v.learningValue) ?? []), v.interactionId]);
      for (const [value, ids] of byValue) {
        await vectors.client.setPayload(memories(), {
          payload: { learning_value: value },
          filter: { must: [{ key: 'interaction_id', match: { any: ids } }] },
          wait: true,
        });
      }
    },

    async rememberAchievements(list) {
      if (!list.length) return;
      await vectors.upsert(
        'memory_embeddings',
        list.map((a) => ({
          text: `${a.name}: ${a.description}`,
          payload: {
            entity_id: a.grantId,
            entity_type: 'achievement',
            character_context: `user:${a.userId}`,
            timestamp: a.awardedAt,
            importance_score: Math.max(0, Math.min(1, a.points / 100)),
            name: a.name,
          },
        })),
      );
    },

    async memoriesOf(character) {
      const out: StoredMemory[] = [];
      for await (const p of scroll(
        { must: [{ key: 'character_name', match: { value: character } }] },
        true,
      )) {
        out.push(toStored(p as never));
      }
      return out;
    },

    async consolidate(into, replaced) {
      // The consolidated point has an id of its own (chunk 1 of its first interaction): written
      // before the members are deleted, so a crash in between loses nothing.
      const id = consolidatedPointId(into.interactionId);
      await vectors.upsert('character_memories', [
        {
          vector: into.vector,
          sourceId: into.interactionId,
          chunk: 1,
          payload: {
            interaction_id: into.interactionId,
            character_name: into.character,
            memory_type: 'consolidated',
            user_context: 'consolidated',
            learning_value: into.learningValue,
            timestamp: into.createdAt,
            text: into.text,
            merged_from: into.mergedFrom,
          },
        },
      ]);
      const stale = replaced.map((m) => m.pointId).filter((p) => p !== id);
      if (stale.length) await vectors.client.delete(memories(), { points: stale, wait: true });
    },

    async storedInteractionIds() {
      const ids = new Set<string>();
      for await (const p of scroll(undefined, false)) {
        const payload = (p.payload ?? {}) as unknown as StoredPayload;
        for (const id of payload.merged_from ?? [payload.interaction_id]) ids.add(id);
      }
      return ids;
    },

    async forget(interactionIds) {
      if (!interactionIds.length) return;
      await vectors.deleteByFilter('character_memories', {
        should: [
          { key: 'interaction_id', match: { any: interactionIds } },
          { key: 'merged_from', match: { any: interactionIds } },
        ],
      });
    },

    storedAchievementIds: () => memoryEmbeddingIds({ must: [ACHIEVEMENTS] }),

    async forgetAchievements(grantIds) {
      if (!grantIds.length) return;
      await vectors.deleteBySourceIds('memory_embeddings', grantIds);
    },

    storedMemoryGraphIds: () => memoryEmbeddingIds({ must_not: [ACHIEVEMENTS] }),

    async forgetMemoryGraph(ids) {
      if (!ids.length) return;
      await vectors.deleteBySourceIds('memory_embeddings', ids);
    },

    async storedMemoryFactIds() {
      const ids = new Set<string>();
      for await (const p of scroll(undefined, false, vectors.collectionName('knowledge_graph_vectors')))
        ids.add(String((p.payload as { triple_id?: string } | null)?.triple_id));
      return ids;
    },

    async forgetMemoryFacts(tripleIds) {
      if (!tripleIds.length) return;
      await vectors.deleteBySourceIds('knowledge_graph_vectors', tripleIds);
    },

    async health() {
      const started = performance.now();
      try {
        await vectors.client.getCollections();
        return { ok: true, latencyMs: performance.now() - started };
      } catch (error) {
        return {
          ok: false,
          latencyMs: performance.now() - started,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    },

    close: () => vectors.close(),
  };
}
