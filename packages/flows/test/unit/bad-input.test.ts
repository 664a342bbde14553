// Bad input loadConfig refuses, with a ConfigError naming the variable or override: fast-check
// properties (1,000 cases each), no store needed. The data layer's entry points, with nothing
// written to PostgreSQL: ../bad-input.test.ts.
import { badInput } from '@monsteros/schema/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/data-layer-config.js';
import { ConfigError } from '../../src/errors.js';

const b = (bad: unknown) => bad as never;

describe('property: loadConfig refuses overrides and environments that are not plain data (1,000 cases each)', () => {
  it('throws a ConfigError naming the variable or override', () => {
    const cases: Array<[string, (bad: unknown) => unknown]> = [
      ['config', (x) => loadConfig({}, b(x))],
      ['config', (x) => loadConfig({}, { duckdbPath: b(x) })],
      ['', (x) => loadConfig(b(x), {})],
    ];
    for (const [field, call] of cases) {
      fc.assert(
        fc.property(badInput(), (bad) => {
          let error: unknown;
          try {
            call(bad.make());
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as ConfigError).field.startsWith(field)).toBe(true);
        }),
        { numRuns: Number(process.env.BAD_INPUT_RUNS ?? 1_000) },
      );
    }
  });
});
