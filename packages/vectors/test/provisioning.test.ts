// The provisioning suite (./suites/provisioning.ts) over the local REST server (and a real Qdrant with QDRANT_URL);
// in process in unit/provisioning.test.ts.
import { provisioningSuite } from './suites/provisioning.js';
import { serverBackends } from './support/backends.js';

provisioningSuite(serverBackends);
