// Retrieve: the query linked to the character's graph (link.ts), passages found by their own
// text, Personalized PageRank from the linked entities and the passages' text match (HippoRAG 2's
// reset probabilities), passages ranked by their node's mass; the passage search alone when
// nothing links.
import type { CachedMemorySearch } from '@monsteros/cache';
import type { Relational } from '@monsteros/relational';
import type { Vectors } from '@monsteros/vectors';
import { scorePassages } from './character-graph.js';
import type { GraphCache } from './graph-cache.js';
import type { RetrieveInput } from './input.js';
import type { LinkedEntity, Linker, Linking, LinkResult } from './link.js';
import { personalizedPageRank } from './ppr.js';
import { PASSAGES_ONLY } from './side-effects.js';
import type { MemoryTuning } from './tuning.js';

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

export interface RetrieverDeps {
  relational: Pick<Relational, 'memory'>;
  vectors: Pick<Vectors, 'search'>;
  graphs: GraphCache;
  linker: Linker;
  tuning: MemoryTuning;
}

/** Computes answers (never cached here: see answer-cache.ts) and searches passages by their text. */
export function createRetriever({ relational, vectors, graphs, linker, tuning }: RetrieverDeps) {
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

  return { compute, passageHits, asResults };
}
