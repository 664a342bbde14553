// "Optimization Plan": the findings and the settings to change, in the order to do them.
import type { Finding } from '../rules/rule.js';
import type { TuningAdvice } from '../tuning.js';
import type { PlanStep } from './types.js';

export function plan(findings: Finding[], tuning: TuningAdvice[]): PlanStep[] {
  // One step per rule and subject-less action: ten slow statements are one step, not ten.
  const steps = new Map<string, Omit<PlanStep, 'order'>>();
  for (const f of findings) {
    const key = `${f.rule}\u0000${f.action}`;
    const step = steps.get(key) ?? { severity: f.severity, store: f.store, action: f.action, because: [] };
    if (f.severity === 'critical') step.severity = 'critical';
    step.because.push(f.subject ? `${f.subject}: ${f.issue}` : f.issue);
    steps.set(key, step);
  }
  // Then the settings the tuning rules would change, each with its numbers and command.
  const tuned: Array<Omit<PlanStep, 'order'>> = tuning
    .filter((t) => t.change)
    .map((t) => ({
      severity: 'warning',
      store: t.store,
      action: `set ${t.setting} to ${t.recommended} (now ${t.current}), ${t.applies}: ${t.command}`,
      because: [t.rule],
      command: t.command,
    }));
  return [
    ...[...steps.values()].sort((a, b) =>
      a.severity === b.severity ? 0 : a.severity === 'critical' ? -1 : 1,
    ),
    ...tuned,
  ].map((step, i) => ({ order: i + 1, ...step }));
}
