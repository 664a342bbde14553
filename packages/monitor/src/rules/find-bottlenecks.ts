// findBottlenecks: every rule of the table applied to one snapshot, critical findings first.
import type { Thresholds } from '../thresholds.js';
import type { MonitorSnapshot } from '../types.js';
import type { Finding, Rule } from './rule.js';
import { RULES } from './table.js';

const ORDER = { critical: 0, warning: 1 } as const;

/**
 * Applies every rule to a snapshot. Stores that could not be read give no finding (the report
 * shows them as down); rules that need a minimum of data wait for it.
 * @example
 * const findings = findBottlenecks(await monitor.collect(), parseThresholds({ cacheHitRateMin: 0.9 }));
 * // [{ rule: 'cache.hitRate', store: 'redis', severity: 'warning', subject: 'quest_data', measured: 0.42, … }]
 */
export function findBottlenecks(snapshot: MonitorSnapshot, t: Thresholds): Finding[] {
  const findings = Object.values(RULES).flatMap((rule: Rule) => rule(snapshot, t));
  return findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
}
