// The embedding-model suite (./suites/embedding-model.ts) over the local REST server (and a real Qdrant with QDRANT_URL);
// in process in unit/embedding-model.test.ts.
import { embeddingModelSuite } from './suites/embedding-model.js';
import { serverBackends } from './support/backends.js';

embeddingModelSuite(serverBackends);
