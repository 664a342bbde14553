// The vitest config of every package: two projects over the package's tests.
//   unit         test/unit/** and tests beside the code (src/**, e.g. type tests): pure code (PPR,
//                filters, codecs, encoders, rules, cache policy parts), no PostgreSQL, Redis, Qdrant,
//                server or child process; seconds. `pnpm test:unit` runs them.
//   integration  every other test under test/: real PostgreSQL, Redis and local Qdrant.
// `vitest run` runs both; `vitest run --project unit` (or `integration`) one of them. One JSON
// report per package (test-results.json) feeds the closing line of scripts/test-all.mjs.
import { configDefaults, defineConfig, type ViteUserConfig } from 'vitest/config';

export interface PackageTestOptions {
  /** Test files elsewhere in test/ that are unit tests all the same (globs, relative to the package). */
  readonly unit?: readonly string[];
  /** Per-test timeout in ms (integration tests share two cores with every other package's suite in CI). */
  readonly testTimeout?: number;
  /** Per-hook timeout in ms. */
  readonly hookTimeout?: number;
}

export const UNIT_TESTS = ['test/unit/**/*.test.ts', 'src/**/*.test.ts'] as const;
export const ALL_TESTS = ['src/**/*.test.ts', 'test/**/*.test.ts'] as const;

export function packageTestConfig(options: PackageTestOptions = {}): ViteUserConfig {
  const unit = [...UNIT_TESTS, ...(options.unit ?? [])];
  return defineConfig({
    test: {
      passWithNoTests: true,
      testTimeout: options.testTimeout ?? 60_000,
      hookTimeout: options.hookTimeout ?? 120_000,
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      projects: [
        { extends: true, test: { name: 'unit', include: unit } },
        {
          extends: true,
          test: {
            name: 'integration',
            include: [...ALL_TESTS],
            exclude: [...configDefaults.exclude, ...unit],
          },
        },
      ],
    },
  });
}

export default packageTestConfig();
