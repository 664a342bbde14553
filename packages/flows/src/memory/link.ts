// Linking a query to its character's graph, with no LLM:
// - `facts` (default, no `queryEntities`; HippoRAG 2's fact linking without its LLM filter): the
//   query's best-matching facts of `knowledge_graph_vectors` (BM25 over "subject predicate object"
//   by default) among those naming a named entity of the query (`factAnchoring: 'named'`: a graph
//   name the query writes capitalized or as a number), each such entity's best in turn (none:
//   all facts), deduplicated, the `factTopK` first kept; each fact's subject and object are linked
//   with the fact's score divided by the best one's (an entity in several facts: the mean);
// - `dictionary` (no fact matches, or the fact search failed): the graph's entity names found in the query
//   (`createEntityDictionary`: normalized, leftmost-longest, whole words, no overlaps), the
//   dictionary built once per graph version and shared by every retrieval of it;
// - `embedding`: the caller's `queryEntities`, each to its nearest entity embedding; or, when no
//   name is found in the query, the whole query to its nearest entities (the fallback);
// - `exact-name`: the vector store failed and the caller's query entities name nodes exactly.
import { normalizeEntityName } from '@monsteros/relational';
import type { Vectors } from '@monsteros/vectors';
import type { CharacterGraph } from './character-graph.js';
import type { RetrieveInput } from './input.js';
import { ENTITIES_ONLY } from './side-effects.js';

/** How a retrieval linked its query to the graph. */
export type Linking = 'facts' | 'dictionary' | 'embedding' | 'exact-name';

/** A query entity linked to a graph node. */
export interface LinkedEntity {
  /** The query entity, the name found in the query, the whole query, or the fact, that was linked. */
  query: string;
  entityId: string;
  name: string;
  /**
   * 1 for a name found in the query or named exactly; the fact's score over the best fact's
   * (facts); the embedding similarity otherwise.
   */
  similarity: number;
}

export interface LinkerTuning {
  entityLinkThreshold: number;
  queryLinkThreshold: number;
  queryLinkTopK: number;
  /** `facts` (default) or `dictionary`: how a query without `queryEntities` links first. */
  queryLinking: 'facts' | 'dictionary';
  /** Facts whose entities are linked. Default 5 (HippoRAG 2's). */
  factTopK: number;
  /** How facts are matched to the query. Default `sparse` (BM25). */
  factSearch: 'sparse' | 'hybrid' | 'dense';
  /**
   * `named` (default): only the facts naming a named entity of the query (a proper noun or date
   * found in it), each such entity's best in turn; `none`: the query's best facts of all.
   */
  factAnchoring: 'named' | 'none';
}

/** What linking found; `degraded` when the fact search failed and a weaker linking was used. */
export interface LinkResult {
  linked: LinkedEntity[];
  linking: Linking;
  degraded?: boolean;
}

export interface Linker {
  link(graph: CharacterGraph, character: string, input: RetrieveInput): Promise<LinkResult>;
}

/** Named entities of one query whose facts are searched (one search each), in query order: as many as `queryEntities` takes. */
const MAX_ANCHORS = 32;

/** A name with a capital letter: a proper noun as the extractor wrote it. */
const UPPER = /\p{Lu}/u;

/** The lists' items rank by rank: the first of each list, then the second of each, and so on. */
function interleave<T>(lists: T[][]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let rank = 0; rank < longest; rank++)
    for (const list of lists) if (rank < list.length) out.push(list[rank]!);
  return out;
}

const byStrength = (a: LinkedEntity, b: LinkedEntity) =>
  b.similarity - a.similarity || (a.entityId < b.entityId ? -1 : 1);

/**
 * Creates the linker; its dictionaries live as long as the graphs they were built from.
 * @example
 * const { linked, linking } = await createLinker(vectors, tuning).link(graph, 'sage', { character: 'sage', query: 'Who taught Alan?' });
 */
export function createLinker(vectors: Pick<Vectors, 'search'>, tuning: LinkerTuning): Linker {
  // Built once per graph version (a patched version extends its predecessor's: `graph-patch.ts`).
  const dictionaryOf = (graph: CharacterGraph) => graph.dictionary();
  const exactNames = new WeakMap<CharacterGraph, Map<string, number>>();
  const exactNameOf = (graph: CharacterGraph) => {
    let byName = exactNames.get(graph);
    if (!byName) {
      byName = new Map(graph.entityNames.map((name, node) => [normalizeEntityName(name), node]));
      exactNames.set(graph, byName);
    }
    return byName;
  };
  const linkedNode = (graph: CharacterGraph, query: string, node: number, similarity: number) => ({
    query,
    entityId: graph.entityIds[node]!,
    name: graph.entityNames[node]!,
    similarity,
  });

  async function byEmbedding(
    graph: CharacterGraph,
    character: string,
    texts: string[],
    entities: boolean,
  ): Promise<LinkedEntity[]> {
    const linked: LinkedEntity[] = [];
    await Promise.all(
      texts.map(async (text) => {
        const hits = await vectors.search('memory_embeddings', text, {
          character,
          filter: ENTITIES_ONLY,
          scoreThreshold: entities ? tuning.entityLinkThreshold : tuning.queryLinkThreshold,
          limit: entities ? 1 : tuning.queryLinkTopK,
        });
        for (const hit of hits) {
          const node = graph.indexOf.get(hit.sourceId);
          // An embedding whose entity is gone (or not yet in this graph version) links nothing.
          if (node !== undefined) linked.push(linkedNode(graph, text, node, hit.score));
        }
      }),
    );
    return linked.sort(byStrength);
  }

  /** The character's facts best matching the query, best first; `anchor`: only the facts naming that node. */
  async function factHits(graph: CharacterGraph, character: string, query: string, anchor?: number) {
    const id = anchor === undefined ? undefined : graph.entityIds[anchor]!;
    return vectors.search('knowledge_graph_vectors', query, {
      character,
      mode: tuning.factSearch,
      scoreThreshold: tuning.factSearch === 'sparse' ? null : tuning.queryLinkThreshold,
      ...(id === undefined
        ? {}
        : {
            filter: {
              should: [
                { key: 'subject_id', match: { value: id } },
                { key: 'object_id', match: { value: id } },
              ],
            },
          }),
      // The same fact extracted from several passages is several points: room to deduplicate.
      limit: tuning.factTopK * 4,
    });
  }

  /** Entities of the query's best facts (see the file comment); empty when no fact matches. */
  async function byFacts(graph: CharacterGraph, character: string, query: string): Promise<LinkedEntity[]> {
    // The named entities of the query (proper nouns, dates) that are nodes: each anchors its facts.
    // A query typed without case: the names found in it that the graph writes capitalized.
    const anchors =
      tuning.factAnchoring === 'named'
        ? [
            ...new Set(
              dictionaryOf(graph)
                .find(query)
                .flatMap((m) =>
                  m.named === null
                    ? m.values.filter((node) => UPPER.test(graph.entityNames[node]!))
                    : m.named
                      ? m.values
                      : [],
                ),
            ),
          ].slice(0, MAX_ANCHORS)
        : [];
    const [all, ...anchored] = await Promise.all([
      factHits(graph, character, query),
      ...anchors.map((node) => factHits(graph, character, query, node)),
    ]);
    // One list per anchor, the anchor of best fact first; taken in turns, rank by rank, so every
    // named entity of the question gets its best facts in (each hop of a multi-hop question is
    // about one of them). No anchored fact: the query's best facts of all.
    const lists = anchored
      .map((hits) => hits.filter((h) => h.score > 0))
      .filter((hits) => hits.length > 0)
      .sort((a, b) => b[0]!.score - a[0]!.score);
    const ranked = lists.length === 0 ? all.filter((h) => h.score > 0) : interleave(lists);
    const seenFacts = new Set<string>();
    const top = ranked
      .filter((h) => {
        const key = `${h.payload.subject_id}|${h.payload.predicate}|${h.payload.object_id}`;
        return !seenFacts.has(key) && seenFacts.add(key);
      })
      .slice(0, tuning.factTopK);
    const best = Math.max(0, ...top.map((h) => h.score));
    const byNode = new Map<number, { sum: number; count: number; fact: string }>();
    for (const hit of top) {
      const score = hit.score / best;
      for (const id of [hit.payload.subject_id, hit.payload.object_id]) {
        const node = graph.indexOf.get(id);
        // A fact of an entity not in this graph version (an ingest under way) links nothing.
        if (node === undefined) continue;
        const entry = byNode.get(node);
        if (entry) {
          entry.sum += score;
          entry.count++;
        } else byNode.set(node, { sum: score, count: 1, fact: hit.payload.text ?? '' });
      }
    }
    return [...byNode].map(([node, e]) => linkedNode(graph, e.fact, node, e.sum / e.count)).sort(byStrength);
  }

  return {
    async link(graph, character, input) {
      const texts = input.queryEntities ?? [];
      if (texts.length === 0) {
        let degraded = false;
        if (tuning.queryLinking === 'facts') {
          try {
            const linked = await byFacts(graph, character, input.query);
            if (linked.length > 0) return { linked, linking: 'facts' };
          } catch {
            // The vector store failed: the names found in the query still link (flagged below).
            degraded = true;
          }
        }
        const seen = new Set<number>();
        const found = dictionaryOf(graph)
          .find(input.query)
          .flatMap((m) => m.values.map((node) => ({ name: m.name, node })))
          .filter(({ node }) => !seen.has(node) && seen.add(node));
        if (found.length > 0)
          return {
            linked: found.map(({ name, node }) => linkedNode(graph, name, node, 1)).sort(byStrength),
            linking: 'dictionary',
            ...(degraded ? { degraded } : {}),
          };
        return { linked: await byEmbedding(graph, character, [input.query], false), linking: 'embedding' };
      }
      try {
        return { linked: await byEmbedding(graph, character, texts, true), linking: 'embedding' };
      } catch (error) {
        // The vector store failed: query entities that name a node exactly still link (similarity
        // 1); the answer is flagged and not cached. Nothing linking that way rethrows the failure.
        const byName = exactNameOf(graph);
        const exact = texts.flatMap((text) => {
          const node = byName.get(normalizeEntityName(text));
          return node === undefined ? [] : [linkedNode(graph, text, node, 1)];
        });
        if (exact.length === 0) throw error;
        return { linked: exact, linking: 'exact-name' };
      }
    },
  };
}
