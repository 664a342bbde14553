import { createInputCheck, findUnstorable, joinInputPath } from '@monsteros/schema';
import { z } from 'zod';
import { CacheValidationError } from './errors.js';

/**
 * Parses `value` with `schema`, or throws a CacheValidationError naming `field` (and the nested path
 * inside it) with zod's rule. Runs before anything is sent to Redis.
 * @example
 * const ttl = check(TtlSeconds, options.ttlSeconds, 'ttlSeconds');
 */
export const check = createInputCheck((field, rule) => new CacheValidationError(field, rule));

/** A user-supplied part of a key: any text, escaped by keys.ts before it reaches Redis. */
export const KeyPart = z
  .string({ message: 'must be a string' })
  .min(1, 'must not be empty')
  .max(512, 'must be at most 512 characters');

export const PositiveSeconds = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n > 0, 'must be greater than 0 (a TTL cannot be zero or negative)');

/** The longest TTL a cache entry may have: ten years (Redis' PX would overflow near 2^53 ms). */
const MAX_TTL_SECONDS = 315_360_000;

/** A TTL of a cache entry: positive, finite, at most ten years. */
export const TtlSeconds = PositiveSeconds.refine(
  (n) => n <= MAX_TTL_SECONDS,
  `must be at most ${MAX_TTL_SECONDS} seconds (ten years)`,
);

/**
 * A value a cache namespace can hold: a document (object), which JSON and the codec round-trip —
 * never null, a bare number or string, a cycle, or input whose reads throw.
 */
export function checkCacheValue(value: unknown, field = 'value'): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CacheValidationError(field, 'must be an object (a cached document)');
  }
  const problem = findUnstorable(value);
  if (problem) throw new CacheValidationError(joinInputPath(field, problem.path), problem.rule);
}

export const NonNegativeSeconds = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n >= 0, 'must not be negative');

export const PositiveInt = z
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1');
