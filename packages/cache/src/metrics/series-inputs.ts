// The checks of the metrics series API's inputs (built once, at module level) and the default
// sample id.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { KeyPart, PositiveInt } from '../validation.js';

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
