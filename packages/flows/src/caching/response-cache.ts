// A character's frequent question patterns and their responses (`character_responses`, LRU,
// 300 s, 1,000 entries): read before the responder, so a question the character answered within
// the TTL (by any user, in any wording that normalizes the same) is answered from Redis and the
// responder does not run. The LRU keeps the frequent patterns; a rare one is evicted first.
import { createHash } from 'node:crypto';
import type { Cache, CachedCharacterResponse } from '@monsteros/cache';
import { unstorableTextRule } from '@monsteros/schema';
import { FlowValidationError } from '../errors.js';

/**
 * The question pattern of a message: Unicode-normalized (NFKC), lower case, punctuation dropped,
 * whitespace collapsed. Messages that differ only in case, spacing or punctuation share it.
 * @example
 * questionPattern('  What is RECURSION?! ') // 'what is recursion'
 */
export function questionPattern(message: string): string {
  if (typeof message !== 'string') throw new FlowValidationError('message', 'must be a string');
  const unstorable = unstorableTextRule(message);
  if (unstorable) throw new FlowValidationError('message', unstorable);
  return message
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** SHA-256 (hex) of the message's question pattern: the `{hash}` of `cache:response:{character}:{hash}`. */
export function questionPatternHash(message: string): string {
  return createHash('sha256').update(questionPattern(message)).digest('hex');
}

/**
 * The cached response to `message`'s pattern for `character`, or undefined (miss, or Redis
 * unavailable: the policy's reads never throw).
 * @example
 * const hit = await cachedResponse(cache, 'sage', 'What is recursion?'); // { response: 'Sage (mentor) here. …', … } | undefined
 */
export async function cachedResponse(
  cache: Cache,
  character: string,
  message: string,
): Promise<CachedCharacterResponse | undefined> {
  return cache.policies.character_responses.get({ character, hash: questionPatternHash(message) });
}
