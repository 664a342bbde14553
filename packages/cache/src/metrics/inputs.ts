// The checks of the metrics' inputs, built once at module level: the time series API's
// (series.ts) and the real-time aggregates' (realtime.ts), and the default sample id.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CacheValidationError } from '../errors.js';
import { KeyPart, PositiveInt } from '../validation.js';
import { LABEL_SEP, STAT_SEP } from './realtime-hash.js';

export const Value = z
  .number({ message: 'must be a number' })
  .refine(Number.isFinite, 'must be a finite number');
export const Timestamp = z.union([
  z
    .number({ message: 'must be milliseconds or a Date' })
    .int('must be whole milliseconds')
    .min(0, 'must not be negative'),
  z.date({ message: 'must be milliseconds or a Date' }),
]);
export const ms = (t: number | Date) => (t instanceof Date ? t.getTime() : t);
export const RecordOptions = z.object(
  { id: KeyPart.max(200, 'must be at most 200 characters').optional() },
  { message: 'must be an object' },
);
/** A sample id of 16 hex characters: unique enough among one series' samples of one millisecond. */
export const newSampleId = () => randomBytes(8).toString('hex');
export const AggregateQuerySchema = z.object({
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  bucketMs: PositiveInt,
  aggregation: z.enum(['avg', 'max', 'min', 'sum', 'count'], {
    message: 'must be avg, max, min, sum or count',
  }),
});
export const RangeQuerySchema = z.object({ from: Timestamp.optional(), to: Timestamp.optional() });
export const UpdateSchema = z.object({
  agent: KeyPart,
  // Each name is a metric type and a session metric (at most 100 characters there).
  metrics: z.record(KeyPart.max(100, 'must be at most 100 characters'), Value),
  // Validated by agentSessionFields (status, current context; no metrics: those are `metrics`).
  session: z.unknown().optional(),
  timestamp: Timestamp.optional(),
});
export const Updates = z.array(z.unknown(), { message: 'must be an array' });

/** A real-time metric's name (also a published document's). */
export const MetricName = z
  .string({ message: 'must be a string' })
  .regex(
    /^[a-z][a-z0-9_]{0,63}$/,
    'must be lower-case letters, digits and _ (at most 64), starting with a letter',
  );
/** A real-time label set: the separators of the hash fields may not appear in a value. */
export const Labels = z.array(
  z
    .string({ message: 'must be a string' })
    .max(200, 'must be at most 200 characters')
    .refine((s) => !s.includes(LABEL_SEP) && !s.includes(STAT_SEP), 'must not contain \\u001e or \\u001f'),
  { message: 'must be an array of strings' },
);
export const DocumentTtl = z
  .number()
  .int('must be whole milliseconds')
  .min(1_000, 'must be at least 1000 ms');

/** A real-time value: a finite number of at least 0 (checked by hand: this is the hot path). */
export function checkRealtimeValue(value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new CacheValidationError('value', 'must be a finite number of at least 0');
}
