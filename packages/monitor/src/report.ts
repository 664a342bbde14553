// The report's content, computed once from live data and rendered three ways (terminal, JSON,
// HTML): the renderers only lay it out.

import type { CollectSettings } from './collect/read.js';
import { collectSnapshot } from './collect/snapshot.js';
import { integration } from './report/integration.js';
import { monitoringSetup } from './report/monitoring-setup.js';
import { plan } from './report/plan.js';
import { statusLines } from './report/status.js';
import { readTrends } from './report/trends.js';
import { tuningInput } from './report/tuning-input.js';
import type { MonitorReport } from './report/types.js';
import { findBottlenecks } from './rules/index.js';
import { THRESHOLD_NAMES, THRESHOLD_SPECS, type ThresholdName, type Thresholds } from './thresholds.js';
import { computeTuning } from './tuning.js';
import type { MonitorStores } from './types.js';

export { tuningInput } from './report/tuning-input.js';

/** Collects, applies the rules and reads the trends; see MonitorReport. */
export async function buildReport(
  stores: MonitorStores,
  thresholds: Thresholds,
  settings: CollectSettings & { trendHours: number },
): Promise<MonitorReport> {
  // One after the other: the trend queries would otherwise show in the snapshot's DuckDB timings.
  const snapshot = await collectSnapshot(stores, settings);
  const trends = await readTrends(stores, settings.trendHours, settings.timeoutMs);
  const findings = findBottlenecks(snapshot, thresholds);
  const tuning = computeTuning(tuningInput(snapshot));
  return {
    generatedAt: new Date().toISOString(),
    snapshot,
    findings,
    thresholds,
    trends,
    status: statusLines(snapshot, findings),
    integration: integration(snapshot),
    plan: plan(findings, tuning),
    tuning,
    monitoring: monitoringSetup(snapshot),
  };
}

/** The thresholds in force with their meanings, for "Monitoring Setup". */
export function thresholdTable(
  t: Thresholds,
): Array<{ name: ThresholdName; value: number; unit: string; meaning: string }> {
  return THRESHOLD_NAMES.map((name) => ({
    name,
    value: t[name],
    unit: THRESHOLD_SPECS[name].unit,
    meaning: THRESHOLD_SPECS[name].meaning,
  }));
}
