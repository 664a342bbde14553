// The clear suite (../suites/clear.ts) over the local engine in process; over HTTP in ../clear.test.ts.

import { clearSuite } from '../suites/clear.js';
import { inProcessBackends } from '../support/backends.js';

clearSuite(inProcessBackends);
