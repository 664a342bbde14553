// The latest flow runs' step timings, kept in this process for the monitor and `recentTimings`.
import { z } from 'zod';
import { checkInput } from '../boundary.js';
import type { FlowTimingRecord } from '../data-layer-types.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { StepTiming } from '../pipeline.js';
import { whole } from './option-checks.js';

const TIMINGS_KEPT = 1_000;
const TimingsLimit = z.object({ limit: whole(0, TIMINGS_KEPT) });

/** Each flow run recorded into the metrics and kept (the newest 1,000) for the monitor. */
export function flowTimings(metrics: MetricsRecorder) {
  const timings: FlowTimingRecord[] = [];
  const recorder = (flow: string, steps: readonly StepTiming[], totalMs = 0) => {
    metrics.flowRun(flow, steps, totalMs);
    timings.push({ flow, at: new Date(), timings: [...steps] });
    // Trimmed in chunks (amortized O(1) per run); readers take the newest TIMINGS_KEPT.
    if (timings.length >= 2 * TIMINGS_KEPT) timings.splice(0, timings.length - TIMINGS_KEPT);
  };
  return {
    /** What the flows call after each run. */
    recorder,
    /** Every kept run (newest last). */
    kept: (): FlowTimingRecord[] => timings.slice(-TIMINGS_KEPT),
    /** The latest `limit` (0 to 1,000; default 100) runs (newest last). */
    recent(limit = 100): FlowTimingRecord[] {
      checkInput(TimingsLimit, { limit }, 'limit');
      return limit === 0 ? [] : timings.slice(-limit);
    },
  };
}
