import { FlowValidationError } from '@monsteros/flows';

/**
 * The monitor's options were rejected before anything was read: names the field (for example
 * `thresholds.redisMemoryUsageMax`) and the rule it broke. A `FlowValidationError` (code
 * `VALIDATION`, `field`, `rule`), so a caller handling the data layer's bad input handles it too.
 */
export class MonitorValidationError extends FlowValidationError {
  override readonly name: string = 'MonitorValidationError';
}
