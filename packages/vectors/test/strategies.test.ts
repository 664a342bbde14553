// The strategies suite (./suites/strategies.ts) over the local REST server (and a real Qdrant with QDRANT_URL);
// in process in unit/strategies.test.ts.
import { strategiesSuite } from './suites/strategies.js';
import { serverBackends } from './support/backends.js';

strategiesSuite(serverBackends);
