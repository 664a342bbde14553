import { FlowError } from '../errors.js';

/**
 * The monitor's options were rejected before anything was read: names the field (for example
 * `thresholds.redisMemoryUsageMax`) and the rule it broke.
 */
export class MonitorConfigError extends FlowError {
  override readonly name = 'MonitorConfigError';
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super('VALIDATION', `${field}: ${rule}`);
  }
}
