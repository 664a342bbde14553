// buildReport: the report's content, computed once from live data and rendered three ways
// (terminal, JSON, HTML): the renderers only lay it out. Each section is a file beside this one.
import type { CollectSettings } from '../collect/read.js';
import { collectSnapshot } from '../collect/snapshot.js';
import { findBottlenecks } from '../rules/find-bottlenecks.js';
import type { Thresholds } from '../thresholds.js';
import { computeTuning } from '../tuning.js';
import type { MonitorStores } from '../types.js';
import { integration } from './integration.js';
import { monitoringSetup } from './monitoring-setup.js';
import { plan } from './plan.js';
import { statusLines } from './status.js';
import { readTrends } from './trends.js';
import { tuningInput } from './tuning-input.js';
import type { MonitorReport } from './types.js';

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
