import { describe, it } from 'vitest';
import { sparseContractSuite } from './contract/sparse-suite.js';
import { contractSuite } from './contract/suite.js';
import { realQdrantTarget } from './contract/targets.js';

const url = process.env.QDRANT_URL;

if (url) {
  contractSuite(`real Qdrant at ${url}`, () => realQdrantTarget(url));
  sparseContractSuite(`real Qdrant at ${url}`, () => realQdrantTarget(url));
} else {
  console.warn('[qdrant-local] QDRANT_URL is not set: the contract suite against a real Qdrant is skipped.');
  describe('real Qdrant (QDRANT_URL)', () => {
    it.skip('skipped: set QDRANT_URL to run the contract suite against a real Qdrant server', () => {});
  });
}
