import { createHash } from 'node:crypto';
import type { CollectionName } from './payloads.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The UUID namespace of MonsterOS point ids (a fixed random UUID). */
const NAMESPACE = Buffer.from('6f1c2b1e8a9d4c3e9b7f2d5a4e3c1b0a', 'hex');

/** Whether `value` is a UUID in its canonical 8-4-4-4-12 form. */
export const isUuid = (value: string): boolean => UUID.test(value);

/**
 * The point id of a source row in a collection: a name-based UUID (RFC 9562 version 5) of the
 * collection, the row's UUID and the chunk number. The same row always lands on the same point,
 * so replaying an upsert (outbox retry, reindex) overwrites instead of duplicating, and every
 * version of a collection uses the same ids.
 * @example
 * pointIdFor('character_memories', interaction.id) // '3b8e…', stable across runs and machines
 */
export function pointIdFor(collection: CollectionName, sourceId: string, chunk = 0): string {
  const hash = createHash('sha1')
    .update(NAMESPACE)
    .update(`${collection}/${sourceId.toLowerCase()}/${chunk}`)
    .digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
