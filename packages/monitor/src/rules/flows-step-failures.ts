// Flow steps that failed or fell back too often, once they have run often enough to tell.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import { checkEach, type Finding } from './rule.js';

export function flowsStepFailures({ flows: f }: MonitorSnapshot, t: Thresholds): Finding[] {
  if (f.status !== 'ok') return [];
  return checkEach(
    t,
    f.steps
      .filter((s) => s.count >= t.flowMinRuns)
      .map((s) => ({
        rule: 'flows.stepFailures',
        store: 'flows',
        limit: 'max',
        thresholdName: 'flowFailureRateMax',
        measured: (s.failed + s.degraded) / s.count,
        subject: `${s.flow} › ${s.step} (${s.store})`,
        issue: `step "${s.step}" of ${s.flow} ${[s.failed ? `failed ${s.failed}` : '', s.degraded ? `fell back ${s.degraded}` : ''].filter(Boolean).join(' and ')} times in ${s.count} runs`,
        action: `check ${s.store === 'compute' ? 'the step' : `the ${s.store} store`}: its errors are in the step timings (outcome failed/degraded)`,
      })),
  );
}
