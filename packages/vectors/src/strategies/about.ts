import type { CollectionPayloads } from '../payloads.js';

type MemoryCollection = 'memory_embeddings' | 'character_memories';

/**
 * What a memory hit is about, the key the strategies fuse on across collections (a point id or a
 * source id never coincides between collections: entity ids are not interaction ids):
 * - `interaction:<id>`: a character memory (`interaction_id`), or a `memory_embeddings` point
 *   that carries the `interaction_id` of the interaction its passage was ingested from;
 * - `passage:<id>`: a `memory_embeddings` passage point (`entity_type: "passage"`) without one;
 * - `entity:<id>`: a memory graph entity.
 * @example
 * memoryAbout('character_memories', { interaction_id: 'i1', … }, 'i1'); // 'interaction:i1'
 */
export function memoryAbout(
  collection: MemoryCollection,
  payload: CollectionPayloads[MemoryCollection],
  sourceId: string,
): string {
  const interaction = (payload as Record<string, unknown>).interaction_id;
  if (typeof interaction === 'string' && interaction.length > 0) return `interaction:${interaction}`;
  if (collection === 'character_memories') return `interaction:${sourceId}`;
  return (payload as Record<string, unknown>).entity_type === 'passage'
    ? `passage:${sourceId}`
    : `entity:${sourceId}`;
}
