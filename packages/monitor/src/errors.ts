import { FlowValidationError } from '@monsteros/flows';

/**
 * The monitor's options were rejected before anything was read: names the field (for example
 * `thresholds.redisMemoryUsageMax`) and the rule it broke.
 */
export class MonitorConfigError extends FlowValidationError {
  override readonly name = 'MonitorConfigError';
}
