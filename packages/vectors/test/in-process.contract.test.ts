import { contractSuite } from './contract/suite.js';
import { inProcessTarget } from './contract/targets.js';

contractSuite('local mode in process (LocalQdrant through the official client signatures)', inProcessTarget);
