// The writes suite (../suites/writes.ts) over the local engine in process; over HTTP in ../writes.test.ts.
import { describe, expect, it } from 'vitest';
import { pointIdFor } from '../../src/index.js';
import { countingEmbedder, writesSuite } from '../suites/writes.js';
import { inProcessBackends } from '../support/backends.js';

writesSuite(inProcessBackends);

describe('point ids', () => {
  it('derive deterministically from the collection, the source UUID and the chunk', () => {
    const source = '0b6f6c1e-9a57-4c1b-8d3e-2f1a0c9b8e71';
    const id = pointIdFor('character_memories', source);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pointIdFor('character_memories', source.toUpperCase())).toBe(id);
    expect(pointIdFor('character_memories', source, 1)).not.toBe(id);
    expect(pointIdFor('memory_embeddings', source)).not.toBe(id);
  });
});

describe('createVectors options', () => {
  it('rejects a provider whose size differs from its collection', async () => {
    const error = await (async () => {
      const { createVectors } = await import('../../src/index.js');
      return createVectors({
        qdrant: { local: ':memory:' },
        embeddings: { providers: { memory_embeddings: countingEmbedder(384) } },
      });
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({
      field: 'options.embeddings.providers.memory_embeddings.dims',
      rule: "must equal the collection's size 768, got 384",
    });
  });

  it('rejects an unknown backend shape and a bad URL', async () => {
    const { createVectors } = await import('../../src/index.js');
    await expect(createVectors({ qdrant: { url: 'ftp://example' } })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    await expect(createVectors({ qdrant: {} as never })).rejects.toMatchObject({ field: 'options.qdrant' });
  });
});
