import { packageTestConfig } from '@monsteros/vitest-config';

export default packageTestConfig();
