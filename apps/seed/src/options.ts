import { MonsterosError } from '@monsteros/schema/errors';
import { z } from 'zod';
import type { SeedSize } from './generate/sizes.js';

/** What `pnpm seed` was asked to do. */
export interface SeedOptions {
  seed: number;
  size: SeedSize;
  reset: boolean;
  yes: boolean;
  force: boolean;
}

/** A bad command line: names the option and the rule. Nothing has been written. */
export class SeedOptionError extends MonsterosError<'VALIDATION'> {
  override readonly name = 'SeedOptionError';
  declare readonly field: string;
  declare readonly rule: string;
  constructor(
    readonly option: string,
    rule: string,
  ) {
    super('VALIDATION', `--${option}: ${rule}`, { field: `--${option}`, rule });
  }
}

export const DEFAULT_SEED = 20261125;

const OptionsSchema = z.object({
  seed: z.coerce
    .number({ message: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(2 ** 31 - 1, 'must be below 2^31'),
  size: z.enum(['small', 'default', 'large'], { message: 'must be one of small, default, large' }),
  reset: z.boolean(),
  yes: z.boolean(),
  force: z.boolean(),
});

/**
 * Parses `pnpm seed` arguments: `--seed N` (default fixed), `--size small|default|large`,
 * `--reset` (wipe our data first), `--yes` (do not ask), `--force` (allow a database that is
 * not marked as development).
 * @example
 * parseSeedOptions(['--size', 'small', '--seed', '7']);
 */
export function parseSeedOptions(argv: readonly string[]): SeedOptions {
  const raw: Record<string, string | boolean> = {
    seed: String(DEFAULT_SEED),
    size: 'default',
    reset: false,
    yes: false,
    force: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new SeedOptionError(arg.replace(/^-+/, ''), 'is not an option (see --help)');
    const [, name, inline] = match as unknown as [string, string, string | undefined];
    if (!(name in raw)) throw new SeedOptionError(name, 'is not an option (see --help)');
    if (typeof raw[name] === 'boolean') {
      raw[name] = true;
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new SeedOptionError(name, 'needs a value');
      raw[name] = value;
    }
  }
  const parsed = OptionsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SeedOptionError(String(issue.path[0]), issue.message);
  }
  return parsed.data;
}
