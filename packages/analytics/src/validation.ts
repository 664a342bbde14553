// The input checks of the analytics API: `check` (a typed VALIDATION error naming the field)
// and the schemas the entry points share (time windows, names, UUIDs, option objects).
import { createInputCheck } from '@monsteros/schema';
import { z } from 'zod';
import { AnalyticsValidationError } from './errors.js';

/**
 * Parses `value` with `schema`, or throws a AnalyticsValidationError naming `field` (and the nested
 * path inside it) with the rule.
 */
export const check = createInputCheck((field, rule) => new AnalyticsValidationError(field, rule));

/** A time window in hours or days: positive and bounded (a year of hours, ten years of days). */
export const Hours = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n > 0, 'must be positive')
  .refine((n) => n <= 24 * 366, 'must be at most 8784 hours (a year)');
export const Days = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number')
  .refine((n) => n > 0, 'must be positive')
  .refine((n) => n <= 3660, 'must be at most 3660 days');
export const When = z
  .date({ message: 'must be a Date' })
  .refine((d) => !Number.isNaN(d.getTime()), 'must be a valid Date');
export const BucketMinutes = z
  .number({ message: 'must be a number' })
  .int('must be whole minutes')
  .min(1, 'must be at least 1 minute')
  .max(1440, 'must be at most 1440 minutes (a day)');

/**
 * An options object as a whole (its fields are checked one by one after): plain data, no NUL or
 * lone surrogate in its keys or text, not circular, not nested without end, not a throwing proxy.
 */
export const OptionsObject = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
  'must be an object',
);

/** A table (or metric) name as given: a string that can be stored; whether it exists is checked after. */
export const NameText = z.string({ message: 'must be a string' });

/** A UUID in its text form (any version, as PostgreSQL accepts it). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const Uuid = z.string({ message: 'must be a string' }).regex(UUID_PATTERN, 'must be a UUID');
/** A character, agent, metric or operation name used as a filter. */
export const Name = z
  .string({ message: 'must be a string' })
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters');
