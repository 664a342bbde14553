// The strategies suite (../suites/strategies.ts) over the local engine in process; over HTTP in ../strategies.test.ts.

import { strategiesSuite } from '../suites/strategies.js';
import { inProcessBackends } from '../support/backends.js';

strategiesSuite(inProcessBackends);
