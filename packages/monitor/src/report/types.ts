// The report's shapes: what `buildReport` computes and the renderers lay out.
import type { MemoryEfficiency } from '@monsteros/analytics';
import type { Finding } from '../rules/rule.js';
import type { Thresholds } from '../thresholds.js';
import type { TuningAdvice } from '../tuning.js';
import type { MonitoredStore, MonitorSnapshot, Reading } from '../types.js';

/** One hour of one character, from the analytics views. */
export interface TrendPoint {
  hour: string;
  interactions: number;
  avgResponseTimeMs: number;
  successRate: number;
  avgSatisfaction: number | null;
}

export interface CharacterTrendReading {
  character: string;
  interactions: number;
  avgResponseTimeMs: number;
  successRate: number;
  avgSatisfaction: number | null;
  direction: 'improving' | 'stable' | 'degrading';
  hourly: TrendPoint[];
}

export interface TrendsReading {
  hours: number;
  characters: CharacterTrendReading[];
  memory: MemoryEfficiency;
}

/** One line of "Database Status". */
export interface StoreStatus {
  store: MonitoredStore;
  label: string;
  state: 'up' | 'down' | 'not-configured';
  /** One sentence; the reason when down or not configured. */
  summary: string;
  figures: Array<{ label: string; value: string }>;
  /** The worst finding on this store, if any. */
  worst: Finding['severity'] | null;
}

/** A cross-store observation of "Integration Recommendations". */
export interface IntegrationRecommendation {
  title: string;
  state: 'good' | 'attention' | 'unknown';
  /** What the data shows. */
  basis: string;
  recommendation: string;
}

/** A step of "Optimization Plan", in the order to do them. */
export interface PlanStep {
  order: number;
  severity: Finding['severity'];
  store: MonitoredStore;
  action: string;
  /** The findings this step answers (or the tuning rule, with its numbers). */
  because: string[];
  /** The exact command, for a tuning step. */
  command?: string;
}

/** An item of "Monitoring Setup". */
export interface SetupItem {
  item: string;
  state: 'ok' | 'missing';
  detail: string;
}

/** Everything the report shows; `--json` prints it as is. */
export interface MonitorReport {
  generatedAt: string;
  snapshot: MonitorSnapshot;
  findings: Finding[];
  thresholds: Thresholds;
  trends: Reading<TrendsReading>;
  status: StoreStatus[];
  integration: IntegrationRecommendation[];
  plan: PlanStep[];
  /** Every tuned setting with the rule's value and command (those to change are also plan steps). */
  tuning: TuningAdvice[];
  monitoring: SetupItem[];
}
