// The vitest config of every package: two projects over the package's tests.
//   unit         test/unit/** and tests beside the code (src/**, e.g. type tests): pure code (PPR,
//                filters, codecs, encoders, rules, the Qdrant engine in process, DuckDB in memory,
//                a temporary directory), no PostgreSQL, Redis, server, port, network or child
//                process; seconds. `pnpm test:unit` runs them. Where a test lives decides, in
//                every package alike: no list of unit tests by name.
//   integration  every other test under test/: real PostgreSQL, Redis, servers, child processes.
// `vitest run` runs both; `vitest run --project unit` (or `integration`) one of them. One JSON
// report per package (test-results.json) feeds the closing line of scripts/test-all.mjs.
import { configDefaults, defineConfig, type ViteUserConfig } from 'vitest/config';

export interface PackageTestOptions {
  /** Per-test timeout in ms (integration tests share two cores with every other package's suite in CI). */
  readonly testTimeout?: number;
  /** Per-hook timeout in ms. */
  readonly hookTimeout?: number;
}

export const UNIT_TESTS = ['test/unit/**/*.test.ts', 'src/**/*.test.ts'] as const;
export const ALL_TESTS = ['src/**/*.test.ts', 'test/**/*.test.ts'] as const;

export function packageTestConfig(options: PackageTestOptions = {}): ViteUserConfig {
  return defineConfig({
    test: {
      passWithNoTests: true,
      testTimeout: options.testTimeout ?? 60_000,
      hookTimeout: options.hookTimeout ?? 120_000,
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      projects: [
        { extends: true, test: { name: 'unit', include: [...UNIT_TESTS] } },
        {
          extends: true,
          test: {
            name: 'integration',
            include: [...ALL_TESTS],
            exclude: [...configDefaults.exclude, ...UNIT_TESTS],
          },
        },
      ],
    },
  });
}

export default packageTestConfig();
