// clear(): empties one collection of one prefix, nothing else.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vectors } from '../../src/index.js';
import { type BackendCase, uniquePrefix } from '../support/backends.js';

const memories = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    text: `memory ${i}`,
    payload: {
      interaction_id: randomUUID(),
      character_name: 'sage',
      memory_type: 'fact',
      user_context: 'user:x',
      learning_value: 0.5,
      timestamp: '2025-03-01T12:00:00Z',
    },
  }));

/** The clear tests over each of `cases`. */
export function clearSuite(cases: readonly BackendCase[]): void {
  describe.each(cases)('clear ($name)', ({ make }) => {
    const backend = make();
    afterAll(() => backend.close());

    const open = async (tag: string): Promise<Vectors> => {
      const vectors = await backend.open({ collectionPrefix: uniquePrefix(tag) });
      await vectors.ensureCollections();
      return vectors;
    };
    const count = async (v: Vectors, name: 'character_memories' | 'document_vectors') =>
      (await v.client.count(v.collectionName(name), { exact: true })).count;

    it('deletes every point of the collection, more than a page of them, and leaves other collections and prefixes alone', async () => {
      const ours = await open('clear_ours');
      const theirs = await open('clear_theirs');
      await ours.upsert('character_memories', memories(1_203));
      await theirs.upsert('character_memories', memories(3));
      await ours.upsert('document_vectors', [
        {
          text: 'a guide',
          payload: {
            document_id: randomUUID(),
            document_type: 'guide',
            processed_by: 'sage',
            extraction_quality: 0.9,
          },
        },
      ]);

      expect(await ours.clear('character_memories')).toBe(1_203);

      expect(await count(ours, 'character_memories')).toBe(0);
      expect(await count(ours, 'document_vectors')).toBe(1);
      expect(await count(theirs, 'character_memories')).toBe(3);
      // The collection is still there and writable.
      await ours.upsert('character_memories', memories(2));
      expect(await count(ours, 'character_memories')).toBe(2);
      expect(await ours.clear('character_memories')).toBe(2);
    });
  });
}
