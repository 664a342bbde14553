// The hybrid suite (../suites/hybrid.ts) over the local engine in process; over HTTP in ../hybrid.test.ts.

import { hybridSuite } from '../suites/hybrid.js';
import { inProcessBackends } from '../support/backends.js';

hybridSuite(inProcessBackends);
