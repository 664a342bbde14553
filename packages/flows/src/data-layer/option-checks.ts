// The checks of createDataLayer's options, run before any connection is opened.
import { z } from 'zod';
import { checkInput } from '../boundary.js';
import type { DataLayerOptions } from '../data-layer-types.js';
import { relaySettings } from '../outbox/relay.js';

/** An optional whole number from `min` to `max`, named the same way by every range check here. */
export const whole = (min: number, max: number) =>
  z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be from ${min} to ${max}`)
    .max(max, `must be from ${min} to ${max}`)
    .optional();

const OptionsSchema = z.object({
  options: z.object({
    maxMessageLength: whole(1, 1_000_000),
    memoriesPerResponse: whole(1, 100),
    sideEffectGraceMs: whole(0, 3_600_000),
    responseCache: z.boolean({ message: 'must be true or false' }).optional(),
    hotMemories: z.boolean({ message: 'must be true or false' }).optional(),
    preloadQuests: whole(0, 100),
    consolidateEvery: whole(0, 10_000_000),
    consolidationCheckMs: whole(100, 3_600_000),
  }),
});

/**
 * Checks every option of `createDataLayer` (its own ranges, then the relay's settings); a bad one
 * is a FlowValidationError naming it (`options.maxMessageLength`).
 */
export function checkDataLayerOptions(options: DataLayerOptions): void {
  checkInput(OptionsSchema, { options }, 'options');
  relaySettings(options.relay ?? {});
}
