import { sparseContractSuite } from '../contract/sparse-suite.js';
import { contractSuite } from '../contract/suite.js';
import { inProcessTarget } from '../contract/targets.js';

contractSuite('local mode in process (LocalQdrant through the official client signatures)', inProcessTarget);
sparseContractSuite('local mode in process', inProcessTarget);
