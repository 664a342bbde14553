// HippoRAG memory of MonsterOS characters across the stores.
// Ingest: passages, entities (deduplicated by normalized name per character) and triples in one
// PostgreSQL transaction with a `memory.ingested` outbox event; the event's side effects
// (embeddings, synonym edges through vector search, cache invalidation) run right after the
// commit and are re-doable from the outbox by the relay.
// Retrieve: link the query's entities to graph nodes by embedding search, run Personalized
// PageRank from them over the character's graph (cached in process by graph version), score
// passages by the PPR mass of their entities; cached in Redis per graph version; with no
// linkable entity, dense passage search, flagged as such.
import { createHash } from 'node:crypto';
import type { Cache, CachedMemorySearch } from '@monsteros/cache';
import { normalizeEntityName, type Relational } from '@monsteros/relational';
import type { Vectors } from '@monsteros/vectors';
import type { OutboxHandler } from '../outbox/relay.js';
import { scorePassages } from './character-graph.js';
import { createGraphCache, type GraphCacheStats, relationalGraphSource } from './graph-cache.js';
import {
  check,
  type IngestInput,
  IngestInputSchema,
  MemoryInputError,
  type PassageSearchInput,
  PassageSearchInputSchema,
  type RetrieveInput,
  RetrieveInputSchema,
  TuningSchema,
} from './input.js';
import { createLinker, type LinkedEntity, type Linking, type LinkResult } from './link.js';
import { type MemoryOperationEntry, recordMemoryOperation } from './operations.js';
import { personalizedPageRank } from './ppr.js';
import {
  applyFreshIngest,
  applyMemoryIngested,
  characterTag,
  handlersFor,
  MEMORY_INGESTED,
  type MemoryIngestedPayload,
  PASSAGES_ONLY,
  PayloadSchema,
  type SideEffectDeps,
  type SideEffectResult,
} from './side-effects.js';

/** Options of `createMemory`: the stores, and tuning with HippoRAG's defaults. */
export interface MemoryOptions {
  /** With `operations`, every ingest, retrieve and passage search writes its `memory_operations` row. */
  relational: Pick<Relational, 'memory' | 'transaction' | 'outbox'> & Partial<Pick<Relational, 'operations'>>;
  vectors: Pick<Vectors, 'upsert' | 'search' | 'embed'>;
  /** Retrievals are cached in its `memory_search_results` namespace; without it, not cached. */
  cache?: Pick<Cache, 'policies'>;
  /** PPR: probability of following an edge rather than restarting at the query. Default 0.5. */
  damping?: number;
  /** Embedding similarity above which two entities get a synonym edge. Default 0.8. */
  synonymThreshold?: number;
  /** Nearest neighbours examined per new entity for synonyms. Default 10. */
  synonymNeighbors?: number;
  /** Lowest similarity linking a query entity (`queryEntities`) to a graph node. Default 0.5. */
  entityLinkThreshold?: number;
  /** Lowest similarity linking the whole query (no `queryEntities`) to a node. Default 0.3. */
  queryLinkThreshold?: number;
  /** Nodes the whole query links to (no `queryEntities`). Default 3; each query entity links to 1. */
  queryLinkTopK?: number;
  /** Lowest similarity of a passage found by its text (dense fallback and passage scores). Default 0.1. */
  denseThreshold?: number;
  /**
   * Reset probability of a passage node per unit of its (min-max normalized) text match to the
   * query, beside the linked entities' (HippoRAG 2's passage node weight). Default 0.05, HippoRAG 2's
   * (measured in the README; 0 leaves passages to the graph alone).
   */
  passageNodeWeight?: number;
  /** Passages found by their text whose nodes get reset probability. Default 100. */
  passageCandidates?: number;
  /**
   * How passages are found by their text: `sparse` (BM25 with the collection's IDF), `hybrid`
   * (BM25 + dense, fused by Qdrant) or `dense`. Default `sparse`: with the built-in lexical
   * embedder the dense side lowers recall (README); `hybrid` is for a semantic model.
   */
  passageSearch?: 'hybrid' | 'sparse' | 'dense';
  /** The fusion of `hybrid` passage search: `dbsf` (scores normalized per list, then summed) or `rrf`. Default `dbsf`. */
  passageFusion?: 'dbsf' | 'rrf';
  /** Weight each linked node by 1 / (passages mentioning it), as HippoRAG does. Default true. */
  nodeSpecificity?: boolean;
  /**
   * How a query without `queryEntities` links to the graph first: `facts` (its best-matching
   * facts' entities, HippoRAG 2) or `dictionary` (entity names found in it). Default `facts`;
   * either falls back to the next (dictionary, then embeddings) when it links nothing.
   */
  queryLinking?: 'facts' | 'dictionary';
  /** Facts whose subject and object are linked (`queryLinking: 'facts'`). Default 5 (HippoRAG 2). */
  factTopK?: number;
  /** How facts are matched to the query: `sparse` (BM25, default), `hybrid` or `dense`. */
  factSearch?: 'sparse' | 'hybrid' | 'dense';
  /**
   * Which facts `facts` linking takes: `named` (default), only the facts naming a named entity of
   * the query (a proper noun or a date found in it by the graph's names), each such entity's best
   * in turn (no such fact: all facts); `none`, the query's best facts of all (HippoRAG 2's).
   */
  factAnchoring?: 'named' | 'none';
  /** Character graphs kept in process. Default 16. */
  maxGraphs?: number;
  /**
   * A held graph moves to a new version by patching it with the rows inserted since (the
   * `memory_graph_changes` log) rather than a whole reload. Default true; false always reloads.
   */
  incrementalGraphs?: boolean;
  /**
   * `inline` (default): apply an ingest's side effects right after its commit (and complete its
   * outbox event); the relay redoes them only if that failed. `outbox`: leave them to the relay.
   */
  sideEffects?: 'inline' | 'outbox';
  /** Told when a `memory_operations` row could not be written (the operation itself went on). */
  onOperationRecordError?: (error: unknown) => void;
  /** Told when an inline side effect failed (the outbox event stays for the relay). */
  onSideEffectError?: (error: unknown, payload: MemoryIngestedPayload) => void;
}

/** What `ingest` did. Counts are of rows this call created (0 on a re-ingest). */
export interface IngestResult {
  character: string;
  passages: { received: number; inserted: number };
  entities: { received: number; inserted: number };
  triples: { received: number; inserted: number };
  /** The outbox events appended (none when nothing was new). */
  eventIds: string[];
  /** `applied`: done inline; `queued`: left to (or failed over to) the relay; `none`: nothing new. */
  sideEffects: 'applied' | 'queued' | 'none';
  /** Synonym edges stored by the inline side effects. */
  synonymEdges: number;
}

/** An entity of the graph that carried a passage, with its PPR mass. */
export interface CarryingEntity {
  id: string;
  name: string;
  mass: number;
}

/** One retrieved passage. */
export interface RetrievedPassage {
  passage: { id: string; character_context: string; content: string };
  /** Graph mode: the PPR mass of its node. Dense mode: the embedding similarity. */
  score: number;
  /** The passage's entities, largest PPR mass first (empty in dense mode). */
  entities: CarryingEntity[];
}

/** What `retrieve` returns (and what is cached: a `CachedMemorySearch` with more fields). */
export interface MemoryRetrieval extends CachedMemorySearch {
  character: string;
  /** `graph`: PPR over the linked entities; `dense`: fallback passage search; `empty`: no memory. */
  mode: 'graph' | 'dense' | 'empty';
  /** Why the graph was not used: `no memory` or `no linkable entity`; null in graph mode. */
  fallbackReason: 'no memory' | 'no linkable entity' | null;
  /**
   * How the query was linked: `dictionary` (entity names found in the query), `embedding`
   * (vector search: the caller's `queryEntities`, or the whole query when no name was found), or
   * `exact-name` when the vector store failed and query entities named graph nodes exactly (a
   * degraded answer, not cached).
   */
  linking: Linking;
  /** The graph version the answer was computed on (0: no memory). */
  graphVersion: number;
  linked: LinkedEntity[];
  results: RetrievedPassage[];
  /** PPR iterations (0 outside graph mode). */
  iterations: number;
  /** Whether this answer came from the Redis cache. */
  cached: boolean;
  /**
   * A store failed and the answer was computed without it (query entities linked by exact name,
   * or passages scored by the graph alone): a weaker answer, never cached.
   */
  degraded: boolean;
}

/** The memory of MonsterOS characters. */
export interface Memory {
  /**
   * Stores passages with their triples in a character's memory (idempotent), and embeds and links
   * what is new. See `MemoryOptions.sideEffects`.
   * @example
   * await memory.ingest({ character: 'sage', passages: [{ text: 'Ada taught Alan.', triples: [['Ada', 'taught', 'Alan']] }] });
   */
  ingest(input: IngestInput): Promise<IngestResult>;
  /**
   * Ranks a character's passages for a query by Personalized PageRank from the query's entities;
   * falls back to dense passage search (flagged) when nothing links; empty for a character
   * without memory.
   * @example
   * const { results } = await memory.retrieve({ character: 'sage', query: 'Who did Ada teach?', queryEntities: ['Ada'], topK: 3 });
   */
  retrieve(input: RetrieveInput): Promise<MemoryRetrieval>;
  /**
   * Ranks a character's passages by their own text alone (no graph): what `retrieve` falls back
   * to when nothing links, and one of the signals it fuses.
   * @example
   * const results = await memory.searchPassages({ character: 'sage', query: 'Who did Ada teach?', topK: 3 });
   */
  searchPassages(input: PassageSearchInput): Promise<RetrievedPassage[]>;
  /** Applies one `memory.ingested` payload's side effects (what the relay handler runs). */
  applyIngested(payload: MemoryIngestedPayload): Promise<SideEffectResult>;
  /** The relay handlers of the memory's events, by event type. */
  outboxHandlers(): Record<string, OutboxHandler>;
  /** The in-process graph cache's counters. */
  graphStats(): GraphCacheStats;
  /**
   * Drops the graphs held in process. Needed after the tables were emptied (`data.reset()`):
   * versions start over, and a new graph could carry the version of a held one.
   */
  forgetGraphs(): void;
}

const EVENT_ROWS = 1_000;
const TRIPLE_BATCH = 50_000;

function resolveTuning(options: MemoryOptions) {
  const t = check(
    TuningSchema,
    {
      damping: options.damping,
      synonymThreshold: options.synonymThreshold,
      synonymNeighbors: options.synonymNeighbors,
      entityLinkThreshold: options.entityLinkThreshold,
      queryLinkThreshold: options.queryLinkThreshold,
      queryLinkTopK: options.queryLinkTopK,
      denseThreshold: options.denseThreshold,
      passageNodeWeight: options.passageNodeWeight,
      passageCandidates: options.passageCandidates,
      passageSearch: options.passageSearch,
      passageFusion: options.passageFusion,
      nodeSpecificity: options.nodeSpecificity,
      queryLinking: options.queryLinking,
      factTopK: options.factTopK,
      factSearch: options.factSearch,
      factAnchoring: options.factAnchoring,
      maxGraphs: options.maxGraphs,
      incrementalGraphs: options.incrementalGraphs,
      sideEffects: options.sideEffects,
    },
    'options',
  );
  return {
    damping: t.damping ?? 0.5,
    synonymThreshold: t.synonymThreshold ?? 0.8,
    synonymNeighbors: t.synonymNeighbors ?? 10,
    entityLinkThreshold: t.entityLinkThreshold ?? 0.5,
    queryLinkThreshold: t.queryLinkThreshold ?? 0.3,
    queryLinkTopK: t.queryLinkTopK ?? 3,
    denseThreshold: t.denseThreshold ?? 0.1,
    passageNodeWeight: t.passageNodeWeight ?? 0.05,
    passageCandidates: t.passageCandidates ?? 100,
    passageSearch: t.passageSearch ?? 'sparse',
    passageFusion: t.passageFusion ?? 'dbsf',
    nodeSpecificity: t.nodeSpecificity ?? true,
    queryLinking: t.queryLinking ?? 'facts',
    factTopK: t.factTopK ?? 5,
    factSearch: t.factSearch ?? 'sparse',
    factAnchoring: t.factAnchoring ?? 'named',
    maxGraphs: t.maxGraphs ?? 16,
    incrementalGraphs: t.incrementalGraphs ?? true,
    sideEffects: t.sideEffects ?? 'inline',
  };
}

/** The dependencies of the side effects, from the memory's options (defaults applied). */
function sideEffectDeps(options: MemoryOptions): SideEffectDeps {
  const tuning = resolveTuning(options);
  return {
    relational: options.relational,
    vectors: options.vectors,
    cache: options.cache,
    synonymThreshold: tuning.synonymThreshold,
    synonymNeighbors: tuning.synonymNeighbors,
  };
}

/**
 * The relay handlers of the memory's outbox events (`memory.ingested`), for `createRelay({ handlers })`.
 * Takes the same options as `createMemory` (only the stores and the synonym settings matter).
 * @example
 * const relay = createRelay({ outbox: relational.outbox, handlers: { ...memoryOutboxHandlers({ relational, vectors, cache }) } });
 */
export function memoryOutboxHandlers(options: MemoryOptions): Record<string, OutboxHandler> {
  return handlersFor(sideEffectDeps(options));
}

/**
 * Creates the HippoRAG memory over the stores. Call `vectors.ensureCollections()` first.
 * @example
 * const memory = createMemory({ relational, vectors, cache });
 * await memory.ingest({ character: 'sage', passages });
 * const answer = await memory.retrieve({ character: 'sage', query: 'What did Ada teach?' });
 */
export function createMemory(options: MemoryOptions): Memory {
  const tuning = resolveTuning(options);
  const { relational, vectors, cache } = options;
  const deps = sideEffectDeps(options);
  const source = relationalGraphSource(relational);
  const graphs = createGraphCache(
    tuning.incrementalGraphs ? source : { version: source.version, snapshot: source.snapshot },
    { maxCharacters: tuning.maxGraphs },
  );
  const linker = createLinker(vectors, tuning);
  const record = (entry: MemoryOperationEntry) =>
    recordMemoryOperation(relational, entry, options.onOperationRecordError);
  // Part of every cache key: a change of tuning never serves answers computed under another.
  const tuningKey = JSON.stringify([
    tuning.damping,
    tuning.entityLinkThreshold,
    tuning.queryLinkThreshold,
    tuning.queryLinkTopK,
    tuning.denseThreshold,
    tuning.passageNodeWeight,
    tuning.passageCandidates,
    tuning.passageSearch,
    tuning.passageFusion,
    tuning.nodeSpecificity,
    tuning.queryLinking,
    tuning.factTopK,
    tuning.factSearch,
    tuning.factAnchoring,
  ]);

  async function ingestRows(input: IngestInput): Promise<IngestResult> {
    const { character, passages } = check(IngestInputSchema, input, 'input');
    // Entity names in first-seen order, one per normalized name.
    const names = new Map<string, string>();
    let tripleCount = 0;
    for (const p of passages)
      for (const [s, , o] of p.triples) {
        tripleCount++;
        for (const name of [s, o]) {
          const key = normalizeEntityName(name);
          if (!names.has(key)) names.set(key, name);
        }
      }
    if (names.size > 50_000)
      throw new MemoryInputError('input.passages', 'at most 50000 distinct entities per ingest');

    const written = await relational.transaction(async (tx) => {
      await tx.memory.lockGraph(character);
      // An empty memory before this ingest: its synonyms can all be found in process (below).
      const fresh = ((await tx.memory.graphVersion(character))?.version ?? 0) === 0;
      const passageRows = await tx.memory.upsertPassages(
        character,
        passages.map((p) => ({ content: p.text, ...(p.metadata ? { metadata: p.metadata } : {}) })),
      );
      const entityRows = await tx.memory.insertEntities(
        character,
        [...names.values()].map((name) => ({ name, entity_type: 'entity' })),
      );
      const entityId = new Map<string, string>();
      [...names.keys()].forEach((key, i) => {
        entityId.set(key, entityRows.rows[i]!.id);
      });
      const triples = passages.flatMap((p, i) =>
        p.triples.map(([s, predicate, o]) => ({
          subject_id: entityId.get(normalizeEntityName(s))!,
          predicate,
          object_id: entityId.get(normalizeEntityName(o))!,
          passage_id: passageRows.rows[i]!.id,
        })),
      );
      const newTriples: string[] = [];
      for (let i = 0; i < triples.length; i += TRIPLE_BATCH)
        newTriples.push(...(await tx.memory.insertTriples(character, triples.slice(i, i + TRIPLE_BATCH))));

      // Events of at most EVENT_ROWS new rows: entities first, then passages, then triples (facts).
      const payloads: MemoryIngestedPayload[] = [];
      const newEntities = entityRows.insertedIds;
      const newPassages = passageRows.insertedIds;
      for (
        let e = 0, p = 0, t = 0;
        e < newEntities.length || p < newPassages.length || t < newTriples.length;
      ) {
        const entityIds = newEntities.slice(e, e + EVENT_ROWS);
        const passageIds = newPassages.slice(p, p + EVENT_ROWS - entityIds.length);
        const tripleIds = newTriples.slice(t, t + EVENT_ROWS - entityIds.length - passageIds.length);
        e += entityIds.length;
        p += passageIds.length;
        t += tripleIds.length;
        payloads.push({ character, entityIds, passageIds, tripleIds });
      }
      const eventIds =
        payloads.length === 0
          ? []
          : await tx.outbox.append(
              payloads.map((payload) => ({
                aggregate_type: 'memory',
                aggregate_id: character,
                event_type: MEMORY_INGESTED,
                payload: { ...payload },
              })),
            );
      return {
        fresh,
        payloads,
        eventIds,
        insertedPassages: newPassages.length,
        insertedEntities: newEntities.length,
        insertedTriples: newTriples.length,
      };
    });

    const result: IngestResult = {
      character,
      passages: { received: passages.length, inserted: written.insertedPassages },
      entities: { received: names.size, inserted: written.insertedEntities },
      triples: { received: tripleCount, inserted: written.insertedTriples },
      eventIds: written.eventIds,
      sideEffects: written.payloads.length === 0 ? 'none' : 'queued',
      synonymEdges: 0,
    };
    if (written.payloads.length === 0 || tuning.sideEffects === 'outbox') return result;
    let i = 0;
    try {
      if (written.fresh) {
        result.synonymEdges = await applyFreshIngest(deps, written.payloads);
        await relational.outbox.complete(written.eventIds);
        i = written.payloads.length;
      }
      for (; i < written.payloads.length; i++) {
        const applied = await applyMemoryIngested(deps, written.payloads[i]!);
        result.synonymEdges += applied.synonymEdges;
        await relational.outbox.complete([written.eventIds[i]!]);
      }
      result.sideEffects = 'applied';
    } catch (error) {
      // The rows are committed and the events not completed stay in the outbox: the relay finishes the job.
      options.onSideEffectError?.(error, written.payloads[Math.min(i, written.payloads.length - 1)]!);
    }
    return result;
  }

  async function passageRows(ids: string[]) {
    const rows = await relational.memory.passages(ids);
    return new Map(
      rows.map((r) => [r.id, { id: r.id, character_context: r.character_context, content: r.content }]),
    );
  }

  /** The character's passages nearest the query by their own text, best first. */
  async function passageHits(character: string, query: string, limit: number) {
    return vectors.search('memory_embeddings', query, {
      character,
      filter: PASSAGES_ONLY,
      scoreThreshold: tuning.denseThreshold,
      limit,
      mode: tuning.passageSearch,
      fusion: tuning.passageFusion,
    });
  }

  async function asResults(hits: Array<{ sourceId: string; score: number }>): Promise<RetrievedPassage[]> {
    const rows = await passageRows(hits.map((h) => h.sourceId));
    return hits.flatMap((h) => {
      const passage = rows.get(h.sourceId);
      return passage ? [{ passage, score: h.score, entities: [] }] : [];
    });
  }

  async function compute(
    character: string,
    input: RetrieveInput,
    topK: number,
    version: number,
  ): Promise<MemoryRetrieval> {
    const base = { character, graphVersion: version, cached: false };
    const graph = await graphs.get(character);
    // Passages by their own text: for the passage nodes' reset probability (when weighted) and
    // for the fallback; searched beside the linking, or only when the fallback needs them.
    const searchText = (limit: number) =>
      passageHits(character, input.query, limit).then(
        (hits) => ({ hits, error: null }),
        (error: unknown) => ({ hits: [], error }),
      );
    const weighted = tuning.passageNodeWeight > 0;
    const [{ linked, linking, degraded: linkDegraded }, early] = await Promise.all([
      graph ? linker.link(graph, character, input) : ({ linked: [], linking: 'embedding' } as LinkResult),
      weighted ? searchText(Math.max(topK, tuning.passageCandidates)) : null,
    ]);
    const text =
      early ?? (!graph || linked.length === 0 ? await searchText(topK) : { hits: [], error: null });
    // The vector store failed: an answer from the graph alone when the query linked without it
    // (flagged `degraded`, never cached); otherwise the store's error.
    if (text.error !== null && (linking === 'embedding' || linked.length === 0)) throw text.error;
    const degraded = text.error !== null || linking === 'exact-name' || linkDegraded === true;
    if (!graph || linked.length === 0) {
      return {
        ...base,
        mode: 'dense',
        fallbackReason: 'no linkable entity',
        linking,
        linked: [],
        results: await asResults(text.hits.slice(0, topK)),
        iterations: 0,
        degraded,
      };
    }
    const personalization = new Map<number, number>();
    for (const l of linked) {
      const node = graph.indexOf.get(l.entityId)!;
      const specificity = tuning.nodeSpecificity ? 1 / Math.max(1, graph.entityPassages[node]!) : 1;
      personalization.set(
        node,
        (personalization.get(node) ?? 0) + Math.max(l.similarity, 1e-6) * specificity,
      );
    }
    // Passage nodes: their text match to the query, min-max normalized over the candidates, times
    // `passageNodeWeight` (HippoRAG 2's reset probabilities of passage nodes).
    const entityCount = graph.entityIds.length;
    const scores = text.hits.map((h) => h.score);
    const low = Math.min(...scores);
    const span = Math.max(...scores) - low;
    for (const hit of text.hits) {
      const p = graph.passageIndex.get(hit.sourceId);
      const weight = tuning.passageNodeWeight * (span > 0 ? (hit.score - low) / span : 1);
      if (p !== undefined && weight > 0) personalization.set(entityCount + p, weight);
    }
    const ppr = personalizedPageRank(graph.graph, personalization, { damping: tuning.damping });
    const top = scorePassages(graph, ppr.scores, topK);
    const rows = await passageRows(top.map((t) => graph.passageIds[t.passage]!));
    const results: RetrievedPassage[] = top.flatMap((t) => {
      const passage = rows.get(graph.passageIds[t.passage]!);
      if (!passage) return [];
      return [
        {
          passage,
          score: t.score,
          entities: t.entities.map((e) => ({
            id: graph.entityIds[e.node]!,
            name: graph.entityNames[e.node]!,
            mass: e.mass,
          })),
        },
      ];
    });
    return {
      ...base,
      graphVersion: graph.version,
      mode: 'graph',
      fallbackReason: null,
      linking,
      linked,
      results,
      iterations: ppr.iterations,
      degraded,
    };
  }

  async function answer(input: RetrieveInput): Promise<MemoryRetrieval> {
    const valid = check(RetrieveInputSchema, input, 'input');
    const { character } = valid;
    const topK = valid.topK ?? 5;
    const version = await source.version(character);
    if (version === 0) {
      return {
        character,
        mode: 'empty',
        fallbackReason: 'no memory',
        linking: 'embedding',
        graphVersion: 0,
        linked: [],
        results: [],
        iterations: 0,
        cached: false,
        degraded: false,
      };
    }
    if (!cache) return compute(character, valid, topK, version);
    const queryHash = createHash('sha256')
      .update(
        JSON.stringify([
          'hipporag-v3',
          character,
          version,
          valid.query,
          valid.queryEntities ?? null,
          topK,
          tuningKey,
        ]),
      )
      .digest('hex');
    let computed = false;
    const value = await cache.policies.memory_search_results.getOrSet(
      { queryHash },
      async () => {
        computed = true;
        return compute(character, valid, topK, version);
      },
      { tags: [characterTag(character)] },
    );
    const answer = value as Partial<MemoryRetrieval>;
    if (computed && answer.degraded)
      await cache.policies.memory_search_results.delete({ queryHash }).catch(() => {});
    // A cached value of another shape (an older release) is recomputed, never trusted.
    if (
      answer.mode === undefined ||
      answer.linking === undefined ||
      answer.degraded === undefined ||
      !Array.isArray(answer.linked) ||
      !Array.isArray(answer.results)
    )
      return compute(character, valid, topK, version);
    return { ...(answer as MemoryRetrieval), cached: !computed };
  }

  async function ingest(input: IngestInput): Promise<IngestResult> {
    const started = performance.now();
    const result = await ingestRows(input);
    const withTriples = input.passages.filter((p) => p.triples.length > 0).length;
    await record({
      operationType: 'ingest',
      character: result.character,
      latencyMs: performance.now() - started,
      // The share of the passages that reach the graph (a passage without triples has no node).
      quality: input.passages.length > 0 ? withTriples / input.passages.length : null,
      metadata: {
        passages: result.passages,
        entities: result.entities,
        triples: result.triples,
        side_effects: result.sideEffects,
        synonym_edges: result.synonymEdges,
      },
    });
    return result;
  }

  async function retrieve(input: RetrieveInput): Promise<MemoryRetrieval> {
    const started = performance.now();
    const result = await answer(input);
    await record({
      operationType: 'hipporag_retrieve',
      character: result.character,
      latencyMs: performance.now() - started,
      // Graph: how surely the query linked (1 for names found in it, the similarity for
      // embeddings); dense: the best passage's similarity; no memory: none.
      quality:
        result.mode === 'graph'
          ? result.linked.reduce((sum, l) => sum + l.similarity, 0) / result.linked.length
          : (result.results[0]?.score ?? null),
      metadata: {
        mode: result.mode,
        linking: result.linking,
        linked: result.linked.length,
        results: result.results.length,
        graph_version: result.graphVersion,
        cached: result.cached,
        degraded: result.degraded,
      },
    });
    return result;
  }

  async function searchPassages(input: PassageSearchInput): Promise<RetrievedPassage[]> {
    const started = performance.now();
    const valid = check(PassageSearchInputSchema, input, 'input');
    const results = await asResults(await passageHits(valid.character, valid.query, valid.topK ?? 5));
    await record({
      operationType: 'passage_search',
      character: valid.character,
      latencyMs: performance.now() - started,
      quality: results[0]?.score ?? null,
      metadata: { results: results.length },
    });
    return results;
  }

  return {
    ingest,
    retrieve,
    searchPassages,
    // Checked as a whole first: a bad payload is a MemoryInputError naming it, not the repository's `ids`.
    applyIngested: async (payload) => applyMemoryIngested(deps, check(PayloadSchema, payload, 'payload')),
    outboxHandlers: () => handlersFor(deps),
    graphStats: () => graphs.stats(),
    forgetGraphs: () => graphs.invalidate(),
  };
}
