import { MonsterosError } from '@monsteros/schema/errors';

/** Stable codes of the flows package's errors. */
export type FlowErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNAVAILABLE'
  | 'TIMEOUT'
  | 'CONFIG'
  | 'STEP_FAILED';

/**
 * The base of every error this package throws: a stable `code`, a message naming the
 * field, step or store (never a secret), and the underlying `cause`.
 */
export class FlowError extends MonsterosError<FlowErrorCode> {
  override readonly name: string = 'FlowError';
}

/**
 * Input rejected before any store is touched: names the field and the rule. The memory's (and
 * @monsteros/monitor's) input errors are kinds of it.
 */
export class FlowValidationError extends FlowError {
  override readonly name: string = 'FlowValidationError';
  declare readonly field: string;
  declare readonly rule: string;
  constructor(field: string, rule: string, options?: { cause?: unknown }) {
    super('VALIDATION', `${field}: ${rule}`, { ...options, field, rule });
  }
}

/** The configuration is invalid: names the variable and the rule. */
export class ConfigError extends FlowError {
  override readonly name = 'ConfigError';
  /** The variable (or `config.<key>` override) at fault, under the name every validation error uses. */
  declare readonly field: string;
  declare readonly rule: string;
  constructor(
    readonly variable: string,
    rule: string,
  ) {
    super('CONFIG', `${variable}: ${rule}`, { field: variable, rule });
  }
}

/** A pipeline step failed: names the flow, the step and its store. */
export class StepError extends FlowError {
  override readonly name = 'StepError';
  constructor(
    readonly flow: string,
    readonly step: string,
    readonly store: string,
    cause: unknown,
  ) {
    super(
      'STEP_FAILED',
      `${flow}: step "${step}" (${store}) failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
  }
}
