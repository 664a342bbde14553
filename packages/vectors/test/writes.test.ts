// The writes suite (./suites/writes.ts) over the local REST server (and a real Qdrant with QDRANT_URL);
// in process in unit/writes.test.ts.
import { writesSuite } from './suites/writes.js';
import { serverBackends } from './support/backends.js';

writesSuite(serverBackends);
