// @monsteros/schema/testing: the test kit every package uses: a migrated database per test file,
// the bad-input builders for property tests, and the seeded generator.

export {
  BadInput,
  badInput,
  circular,
  deeplyNested,
  refusalProblem,
  throwingProxy,
  thrownBy,
  unstorableText,
} from './bad-input.js';
export { createTestDatabase, type TestDatabase, testServerUrl } from './databases.js';
export { questFixture } from './fixtures.js';
export { seededRandom } from './random.js';
