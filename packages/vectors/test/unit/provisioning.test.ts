// The provisioning suite (../suites/provisioning.ts) over the local engine in process; over HTTP in ../provisioning.test.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createVectors } from '../../src/index.js';
import { provisioningSuite } from '../suites/provisioning.js';
import { inProcessBackends } from '../support/backends.js';

provisioningSuite(inProcessBackends);

describe('provisioning over a local data directory', () => {
  it('finds its collections again after a restart and reports no change', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vectors-ensure-'));
    try {
      const first = await createVectors({ qdrant: { local: dir } });
      expect((await first.ensureCollections()).every((r) => r.created)).toBe(true);
      await first.close();
      const second = await createVectors({ qdrant: { local: dir } });
      const report = await second.ensureCollections();
      expect(report.map((r) => [r.collection, r.created, r.indexesAdded.length])).toEqual([
        ['memory_embeddings__v1', false, 0],
        ['character_memories__v1', false, 0],
        ['document_vectors__v1', false, 0],
        ['knowledge_graph_vectors__v1', false, 0],
      ]);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
