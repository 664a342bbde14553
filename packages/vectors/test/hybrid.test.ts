// The hybrid suite (./suites/hybrid.ts) over the local REST server (and a real Qdrant with QDRANT_URL);
// in process in unit/hybrid.test.ts.
import { hybridSuite } from './suites/hybrid.js';
import { serverBackends } from './support/backends.js';

hybridSuite(serverBackends);
