// The clear suite (./suites/clear.ts) over the local REST server (and a real Qdrant with QDRANT_URL);
// in process in unit/clear.test.ts.
import { clearSuite } from './suites/clear.js';
import { serverBackends } from './support/backends.js';

clearSuite(serverBackends);
