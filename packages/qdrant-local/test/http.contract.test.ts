import { describe, expect, it } from 'vitest';
import { startLocalQdrantServer } from '../src/index.js';
import { sparseContractSuite } from './contract/sparse-suite.js';
import { contractSuite } from './contract/suite.js';
import { httpTarget } from './contract/targets.js';

contractSuite('local mode over HTTP (REST server + official @qdrant/js-client-rest)', httpTarget);
sparseContractSuite('local mode over HTTP', httpTarget);

describe('local mode REST server: requests the official client cannot send', () => {
  it('answers a malformed percent-escape in the path with 400 in Qdrant’s error shape', async () => {
    const server = await startLocalQdrantServer({ port: 0 });
    try {
      const response = await fetch(`${server.url}/collections/%E0%A4%A`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        status: { error: expect.stringMatching(/^Bad request: malformed percent-encoding.*%E0%A4%A/) },
      });
    } finally {
      await server.close();
    }
  });
});
