import { contractSuite } from './contract/suite.js';
import { httpTarget } from './contract/targets.js';

contractSuite('local mode over HTTP (REST server + official @qdrant/js-client-rest)', httpTarget);
