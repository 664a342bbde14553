// HippoRAG memory of MonsterOS characters across the stores.
// Ingest: passages, entities (deduplicated by normalized name per character) and triples in one
// PostgreSQL transaction with a `memory.ingested` outbox event; the event's side effects
// (embeddings, synonym edges through vector search, cache invalidation) run right after the
// commit and are re-doable from the outbox by the relay.
// Retrieve: link the query to the character's graph (link.ts), run Personalized PageRank from the
// linked entities and the passages' text match over the graph (cached in process by graph
// version), rank passages by their node's mass (retrieve.ts); answers cached in Redis per graph
// version (answer-cache.ts); with nothing linkable, the passage search, flagged as such.
// This file wires them: createMemory, with each operation recorded in memory_operations.
import type { Cache } from '@monsteros/cache';
import type { Relational } from '@monsteros/relational';
import type { Vectors } from '@monsteros/vectors';
import type { OutboxHandler } from '../outbox/relay.js';
import { cachedAnswer } from './answer-cache.js';
import { createGraphCache, type GraphCacheStats, relationalGraphSource } from './graph-cache.js';
import { type IngestResult, ingestRows } from './ingest.js';
import {
  check,
  type IngestInput,
  type PassageSearchInput,
  PassageSearchInputSchema,
  type RetrieveInput,
  RetrieveInputSchema,
} from './input.js';
import { createLinker } from './link.js';
import { type MemoryOperationEntry, recordMemoryOperation } from './operations.js';
import { createRetriever, type MemoryRetrieval, type RetrievedPassage } from './retrieve.js';
import {
  applyMemoryIngested,
  handlersFor,
  type MemoryIngestedPayload,
  PayloadSchema,
  type SideEffectDeps,
  type SideEffectResult,
} from './side-effects.js';
import { resolveTuning, tuningKey } from './tuning.js';

export type { IngestResult } from './ingest.js';
export type { CarryingEntity, MemoryRetrieval, RetrievedPassage } from './retrieve.js';

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
  const retriever = createRetriever({
    relational,
    vectors,
    graphs,
    linker: createLinker(vectors, tuning),
    tuning,
  });
  const answerKeyTuning = tuningKey(tuning);
  const record = (entry: MemoryOperationEntry) =>
    recordMemoryOperation(relational, entry, options.onOperationRecordError);

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
    const compute = () => retriever.compute(character, valid, topK, version);
    if (!cache) return compute();
    return cachedAnswer(
      cache,
      { character, version, input: valid, topK, tuningKey: answerKeyTuning },
      compute,
    );
  }

  async function ingest(input: IngestInput): Promise<IngestResult> {
    const started = performance.now();
    const result = await ingestRows(
      { relational, tuning, sideEffects: deps, onSideEffectError: options.onSideEffectError },
      input,
    );
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
    const results = await retriever.asResults(
      await retriever.passageHits(valid.character, valid.query, valid.topK ?? 5),
    );
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
