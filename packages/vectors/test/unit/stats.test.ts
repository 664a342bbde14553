// The stats suite (../suites/stats.ts) over the local engine in process; over HTTP in ../stats.test.ts.

import { statsSuite } from '../suites/stats.js';
import { inProcessBackends } from '../support/backends.js';

statsSuite(inProcessBackends);
