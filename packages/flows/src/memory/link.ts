// Linking a query to its character's graph, with no LLM:
// - `dictionary` (default, no `queryEntities`): the graph's entity names found in the query
//   (`createEntityDictionary`: normalized, leftmost-longest, whole words, no overlaps), the
//   dictionary built once per graph version and shared by every retrieval of it;
// - `embedding`: the caller's `queryEntities`, each to its nearest entity embedding; or, when no
//   name is found in the query, the whole query to its nearest entities (the fallback);
// - `exact-name`: the vector store failed and the caller's query entities name nodes exactly.
import { normalizeEntityName } from '@monsteros/relational';
import type { Vectors } from '@monsteros/vectors';
import type { CharacterGraph } from './character-graph.js';
import { createEntityDictionary, type EntityDictionary } from './entity-mentions.js';
import type { RetrieveInput } from './input.js';
import { ENTITIES_ONLY } from './side-effects.js';

/** How a retrieval linked its query to the graph. */
export type Linking = 'dictionary' | 'embedding' | 'exact-name';

/** A query entity linked to a graph node. */
export interface LinkedEntity {
  /** The query entity, the name found in the query, or the whole query, that was linked. */
  query: string;
  entityId: string;
  name: string;
  /** 1 for a name found in the query or named exactly; the embedding similarity otherwise. */
  similarity: number;
}

export interface LinkerTuning {
  entityLinkThreshold: number;
  queryLinkThreshold: number;
  queryLinkTopK: number;
}

export interface Linker {
  link(
    graph: CharacterGraph,
    character: string,
    input: RetrieveInput,
  ): Promise<{ linked: LinkedEntity[]; linking: Linking }>;
}

const byStrength = (a: LinkedEntity, b: LinkedEntity) =>
  b.similarity - a.similarity || (a.entityId < b.entityId ? -1 : 1);

/**
 * Creates the linker; its dictionaries live as long as the graphs they were built from.
 * @example
 * const { linked, linking } = await createLinker(vectors, tuning).link(graph, 'sage', { character: 'sage', query: 'Who taught Alan?' });
 */
export function createLinker(vectors: Pick<Vectors, 'search'>, tuning: LinkerTuning): Linker {
  const dictionaries = new WeakMap<CharacterGraph, EntityDictionary<number>>();
  const dictionaryOf = (graph: CharacterGraph) => {
    let dictionary = dictionaries.get(graph);
    if (!dictionary) {
      dictionary = createEntityDictionary(graph.entityNames.map((name, node) => [name, node] as const));
      dictionaries.set(graph, dictionary);
    }
    return dictionary;
  };
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

  return {
    async link(graph, character, input) {
      const texts = input.queryEntities ?? [];
      if (texts.length === 0) {
        const seen = new Set<number>();
        const found = dictionaryOf(graph)
          .find(input.query)
          .flatMap((m) => m.values.map((node) => ({ name: m.name, node })))
          .filter(({ node }) => !seen.has(node) && seen.add(node));
        if (found.length > 0)
          return {
            linked: found.map(({ name, node }) => linkedNode(graph, name, node, 1)).sort(byStrength),
            linking: 'dictionary',
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
