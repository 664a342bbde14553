import { packageTestConfig } from '@monsteros/vitest-config';

// The memory-* unit tests stay in test/ while they are being edited elsewhere; they move to test/unit/ next.
export default packageTestConfig({
  unit: ['test/memory-entity-mentions.test.ts', 'test/memory-ppr.test.ts', 'test/memory-synonym-knn.test.ts'],
});
