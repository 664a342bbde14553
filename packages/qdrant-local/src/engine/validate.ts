import { z } from 'zod';
import { formatError, validationError } from '../errors.js';

/**
 * Parses a request body with a zod schema and maps failures to Qdrant's two error families:
 * shape errors are 400 "Format error in JSON body", rule violations (ranges) are 422
 * "Validation error in JSON body", each naming the field path.
 */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown, what: string): z.output<T> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map(String).join('.') || what;
  if (issue.code === 'too_small' || issue.code === 'too_big' || issue.code === 'custom') {
    throw validationError(`${path}: ${issue.message}`);
  }
  throw formatError(`${path}: ${issue.message}`);
}

/**
 * An unsigned integer of a request (`bigint` beyond 2^53 from lossless JSON), clamped to 2^53 − 1:
 * a limit or offset beyond any collection's size means "all of them" and never sizes an
 * allocation. Below `min` it is Qdrant's 422 `value 0 invalid, must be 1 or larger`.
 */
export const requestCount = (min: number) =>
  z
    .union([z.number().int().nonnegative(), z.bigint().nonnegative()])
    .transform((v) => clampCount(v))
    .superRefine((v, ctx) => {
      if (v < min) ctx.addIssue({ code: 'custom', message: `value ${v} invalid, must be ${min} or larger` });
    });

/** A non-negative integer (number or bigint) as a safe `number`. */
export const clampCount = (v: number | bigint): number =>
  typeof v === 'bigint'
    ? v > BigInt(Number.MAX_SAFE_INTEGER)
      ? Number.MAX_SAFE_INTEGER
      : Number(v)
    : Math.min(v, Number.MAX_SAFE_INTEGER);
