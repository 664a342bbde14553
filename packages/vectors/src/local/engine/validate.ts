import type { z } from 'zod';
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
