// What a bottleneck rule is, and the one way each compares a figure with its limit.
import { THRESHOLD_SPECS, type ThresholdName, type Thresholds } from '../thresholds.js';
import type { MonitoredStore, MonitorSnapshot } from '../types.js';

/** A threshold crossed: where, what, by how much, and what to do. */
export interface Finding {
  /** Stable rule id, e.g. `postgres.cacheHitRatio`. */
  rule: string;
  store: MonitoredStore;
  /** Twice as far past the limit (or more) is critical. */
  severity: 'critical' | 'warning';
  /** The namespace, statement, collection, source or step concerned, when there is one. */
  subject?: string;
  issue: string;
  measured: number;
  /** The limit crossed; null for a rule on a state rather than a figure (a failed collection). */
  threshold: number | null;
  thresholdName: ThresholdName | null;
  unit: 'ratio' | 'ms' | 'count';
  action: string;
}

/**
 * One bottleneck rule: reads its part of a snapshot and returns a finding per subject past its
 * limit; none when that part could not be read or has too little data yet.
 */
export type Rule = (snapshot: MonitorSnapshot, thresholds: Thresholds) => Finding[];

type Limit = 'max' | 'min';

/** A figure and its limit, as a rule measured it. */
export type Measure = Omit<Finding, 'severity' | 'threshold' | 'thresholdName' | 'unit'> & {
  thresholdName: ThresholdName;
  limit: Limit;
};

/** How far past its limit a value is: 1 at the limit, 2 when twice as far (min ratios use the shortfall). */
function excess(measured: number, threshold: number, limit: Limit): number {
  if (limit === 'min') return threshold >= 1 ? Number.POSITIVE_INFINITY : (1 - measured) / (1 - threshold);
  return threshold === 0 ? 1 : measured / threshold;
}

function crossed(measured: number, threshold: number, limit: Limit): boolean {
  return limit === 'max' ? measured > threshold : measured < threshold;
}

/**
 * The finding for `m` when its figure is past the threshold in force (critical when twice as far
 * or more), else undefined.
 */
export function check(t: Thresholds, m: Measure): Finding | undefined {
  const threshold = t[m.thresholdName];
  if (!crossed(m.measured, threshold, m.limit)) return undefined;
  const { limit, ...rest } = m;
  return {
    ...rest,
    threshold,
    unit: THRESHOLD_SPECS[m.thresholdName].unit,
    severity: excess(m.measured, threshold, limit) >= 2 ? 'critical' : 'warning',
  };
}

/** The findings of several measures (one per subject), in their order. */
export function checkEach(t: Thresholds, measures: Iterable<Measure>): Finding[] {
  const findings: Finding[] = [];
  for (const m of measures) {
    const finding = check(t, m);
    if (finding) findings.push(finding);
  }
  return findings;
}

export const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
export const ms = (v: number) =>
  v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${v.toFixed(v < 10 ? 2 : 0)} ms`;
