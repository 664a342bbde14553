import {
  CharacterNameSchema,
  createInputCheck,
  JsonObjectSchema,
  PerformanceMetricsSchema,
} from '@monsteros/schema';
import { z } from 'zod';
import { RelationalValidationError } from './errors.js';

/**
 * Parses `value` with `schema`, or throws a RelationalValidationError naming `field` (and the nested
 * path inside it) with zod's rule. Runs before any SQL.
 * @example
 * const id = check(Uuid, input.userId, 'userId');
 */
export const check = createInputCheck((field, rule) => new RelationalValidationError(field, rule));

export const Uuid = z.uuid({ message: 'must be a UUID' });
export const CharacterName = CharacterNameSchema;
export const Percentage = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n >= 0 && n <= 100, 'must be between 0 and 100');
export const Chapter = z
  .number({ message: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1');
export const MetricsPatch = PerformanceMetricsSchema.refine(
  (o) => Object.keys(o).length > 0,
  'must not be empty',
);
export const JsonObject = JsonObjectSchema;
export const NonEmptyText = (max: number) =>
  z
    .string({ message: 'must be a string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);
export const Limit = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(10_000, 'must be at most 10000');
