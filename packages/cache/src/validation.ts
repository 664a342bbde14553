import { joinInputPath, parseInput } from '@monsteros/schema';
import { z } from 'zod';
import { ValidationError } from './errors.js';

/**
 * Parses `value` with `schema`, or throws a ValidationError naming `field` (and the nested path
 * inside it) with zod's rule. Runs before anything is sent to Redis.
 * @example
 * const ttl = check(TtlSeconds, options.ttlSeconds, 'ttlSeconds');
 */
export function check<S extends z.ZodType>(schema: S, value: unknown, field: string): z.output<S> {
  const parsed = parseInput(schema, value);
  if (parsed.ok) return parsed.data;
  throw new ValidationError(joinInputPath(field, parsed.problem.path), parsed.problem.rule);
}

/** A user-supplied part of a key: any text, escaped by keys.ts before it reaches Redis. */
export const KeyPart = z
  .string({ message: 'must be a string' })
  .min(1, 'must not be empty')
  .max(512, 'must be at most 512 characters');

export const PositiveSeconds = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n > 0, 'must be greater than 0 (a TTL cannot be zero or negative)');

export const NonNegativeSeconds = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n >= 0, 'must not be negative');

export const PositiveInt = z
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1');

export const Tag = KeyPart;
