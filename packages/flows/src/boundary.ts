// The data layer's boundary, shared by every public entry point (the flows, bulk imports,
// reconcile, cross-character search): the input checked on the way in (checkInput), a failed
// step's store error typed on the way out (rethrowTyped).
import { parseInput } from '@monsteros/schema';
import type { z } from 'zod';
import { FlowError, type FlowErrorCode, FlowValidationError, StepError } from './errors.js';

/** The input parsed by its schema, or a FlowValidationError naming the field (`what` when it is the whole input). */
export function checkInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = parseInput(schema, value);
  if (parsed.ok) return parsed.data;
  const { path, rule } = parsed.problem;
  throw new FlowValidationError(path.length ? path.join('.') : what, rule);
}

/** The codes of a store's error that keep their meaning as a FlowError (the caller's fault, or an outage). */
export const PASSED_THROUGH: ReadonlySet<FlowErrorCode> = new Set<FlowErrorCode>([
  'VALIDATION',
  'NOT_FOUND',
  'CONFLICT',
  'UNAVAILABLE',
  'TIMEOUT',
]);

/**
 * A step that failed because of the caller (not found, conflict, validation) or an outage
 * surfaces as a FlowError with that code and the store's error as `cause`; anything else stays
 * a StepError naming the flow, step and store.
 */
export function rethrowTyped(error: unknown): never {
  if (error instanceof StepError) {
    const cause = error.cause as
      | { code?: unknown; message?: string; field?: unknown; rule?: unknown }
      | undefined;
    const code = cause?.code;
    // A store's validation error keeps naming its field (an invalid character name once lost it).
    if (code === 'VALIDATION' && typeof cause?.field === 'string') {
      throw new FlowValidationError(
        cause.field,
        typeof cause.rule === 'string' ? cause.rule : (cause.message ?? 'is invalid'),
      );
    }
    if (typeof code === 'string' && PASSED_THROUGH.has(code as FlowErrorCode)) {
      throw new FlowError(code as FlowErrorCode, `${error.flow}: ${error.step}: ${cause?.message ?? ''}`, {
        cause: error.cause,
      });
    }
  }
  throw error;
}
