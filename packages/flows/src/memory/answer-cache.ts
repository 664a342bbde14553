// The memory's answers in Redis (`memory_search_results`), keyed by the character, its graph
// version, the query and the tuning, tagged by character (the side effects invalidate the tag);
// degraded answers are never kept, and a cached value of another shape is recomputed.
import { createHash } from 'node:crypto';
import type { Cache } from '@monsteros/cache';
import type { RetrieveInput } from './input.js';
import type { MemoryRetrieval } from './retrieve.js';
import { characterTag } from './side-effects.js';

export interface AnswerKey {
  character: string;
  version: number;
  input: RetrieveInput;
  topK: number;
  tuningKey: string;
}

/** The cached answer for the key, or `compute`'s (stored unless degraded); `cached` says which. */
export async function cachedAnswer(
  cache: Pick<Cache, 'policies'>,
  { character, version, input, topK, tuningKey }: AnswerKey,
  compute: () => Promise<MemoryRetrieval>,
): Promise<MemoryRetrieval> {
  const queryHash = createHash('sha256')
    .update(
      JSON.stringify([
        'hipporag-v3',
        character,
        version,
        input.query,
        input.queryEntities ?? null,
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
      return compute();
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
    return compute();
  return { ...(answer as MemoryRetrieval), cached: !computed };
}
