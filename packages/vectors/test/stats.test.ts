// The stats suite (./suites/stats.ts) over the local REST server (and a real Qdrant with QDRANT_URL);
// in process in unit/stats.test.ts.
import { statsSuite } from './suites/stats.js';
import { serverBackends } from './support/backends.js';

statsSuite(serverBackends);
