// Hot memories: the interaction flow's recall results (a character's memories for a question)
// cached in `memory_search_results` (LFU, 600 s, 500 entries: the frequent queries stay), keyed by
// the character, the limit and the question pattern, tagged `recall:<character>`. Every change of
// that character's memories through the port (a memory stored, memories consolidated) invalidates
// the tag before it returns, and a forget (reconcile's orphans) invalidates every recall, so a read
// after a change never sees the old result (when Redis is down at the write, this process reads
// that character from the store until the invalidation went through; other processes' reads of
// the entry are then stale at most until Redis is back and this process next recalls). Its own tag: HippoRAG's cached retrievals
// (`character:<name>`) are not dropped by an interaction's memory.
import { createHash } from 'node:crypto';
import type { Cache } from '@monsteros/cache';
import type { RecalledMemory, VectorsPort } from '../ports.js';
import { questionPattern } from './response-cache.js';

const ALL = 'recall:*';
const tagOf = (character: string) => `recall:${character}`;

/**
 * The key hash of a recall: character, limit and question pattern.
 * @example
 * recallHash('sage', 'What is recursion?', 5) // sha256 of 'recall\0sage\05\0what is recursion'
 */
function recallHash(character: string, query: string, limit: number): string {
  return createHash('sha256')
    .update(`recall\0${character}\0${limit}\0${questionPattern(query)}`)
    .digest('hex');
}

/**
 * The port with its `recall` served from the hot-memory cache and its writes invalidating it.
 * @example
 * const vectors = withHotMemories(port, cache);
 * await vectors.recall('sage', 'What is recursion?', 5); // miss: searched, cached
 * await vectors.recall('sage', 'what is RECURSION', 5);  // hit (memory_search_results hits + 1)
 */
export function withHotMemories(port: VectorsPort, cache: Cache): VectorsPort {
  const results = cache.policies.memory_search_results;
  // Invalidations that failed (Redis down): retried before this process's next recall, whose
  // character is read from the store meanwhile. The memory write itself is not failed for them.
  const pending = new Set<string>();
  const retryPending = async () => {
    for (const tag of [...pending]) {
      await results.invalidateTag(tag);
      pending.delete(tag);
    }
  };
  const invalidate = async (tags: Iterable<string>) => {
    for (const tag of new Set(tags)) {
      try {
        await results.invalidateTag(tag);
      } catch {
        pending.add(tag);
      }
    }
  };
  return {
    ...port,
    async recall(character, query, limit) {
      if (pending.size) await retryPending().catch(() => {});
      if (pending.has(tagOf(character)) || pending.has(ALL)) return port.recall(character, query, limit);
      const cached = await results.getOrSet(
        { queryHash: recallHash(character, query, limit) },
        async () => ({
          character,
          results: (await port.recall(character, query, limit)).map((m) => ({
            passage: { id: m.interactionId, character_context: character, content: m.text },
            score: m.score,
          })),
        }),
        { tags: [tagOf(character), ALL] },
      );
      return cached.results.map(
        (r): RecalledMemory => ({ interactionId: r.passage.id, text: r.passage.content, score: r.score }),
      );
    },
    async remember(memories) {
      await port.remember(memories);
      await invalidate(memories.map((m) => tagOf(m.character)));
    },
    async consolidate(into, replaced) {
      await port.consolidate(into, replaced);
      await invalidate([into, ...replaced].map((m) => tagOf(m.character)));
    },
    async forget(interactionIds) {
      await port.forget(interactionIds);
      if (interactionIds.length) await invalidate([ALL]);
    },
  };
}
