import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED, parseSeedOptions, SeedOptionError } from '../../src/options.js';
import { table } from '../../src/progress.js';

describe('seed options', () => {
  it('defaults to the fixed seed and the default size', () => {
    expect(parseSeedOptions([])).toEqual({
      seed: DEFAULT_SEED,
      size: 'default',
      reset: false,
      yes: false,
      force: false,
    });
  });

  it('reads values in both --name value and --name=value forms, and flags', () => {
    expect(parseSeedOptions(['--size=small', '--seed', '7', '--reset', '--yes'])).toEqual({
      seed: 7,
      size: 'small',
      reset: true,
      yes: true,
      force: false,
    });
  });

  it.each([
    [['--size', 'huge'], 'size', '--size: must be one of small, default, large'],
    [['--seed', '-3'], 'seed', '--seed: must not be negative'],
    [['--seed', '1.5'], 'seed', '--seed: must be a whole number'],
    [['--seed', 'abc'], 'seed', '--seed: must be a whole number'],
    [['--seed'], 'seed', '--seed: needs a value'],
    [['--colour'], 'colour', '--colour: is not an option (see --help)'],
  ])('rejects %j naming the option', (argv, option, message) => {
    const error = (() => {
      try {
        parseSeedOptions(argv);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SeedOptionError);
    expect((error as SeedOptionError).option).toBe(option);
    expect((error as SeedOptionError).message).toBe(message);
  });

  it('aligns the summary table: text columns left, the counts right', () => {
    expect(
      table(
        ['store', 'rows'],
        [
          ['postgres', '12'],
          ['redis', '1234'],
        ],
      ),
    ).toBe(['store     rows', '--------  ----', 'postgres    12', 'redis     1234'].join('\n'));
    expect(
      table(
        ['store', 'what', 'count'],
        [
          ['PostgreSQL', 'users', '2,000'],
          ['Redis', 'keys under mos:', '87'],
        ],
      ),
    ).toBe(
      [
        'store       what             count',
        '----------  ---------------  -----',
        'PostgreSQL  users            2,000',
        'Redis       keys under mos:     87',
      ].join('\n'),
    );
  });
});
