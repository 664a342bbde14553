// The performance monitor and its report (issue 9, part B). Re-exported by the package index.

export { createTimingBuffer, type TimingBuffer } from './collect/timings.js';
export { createMonitor, type Monitor, type MonitorOptions } from './create-monitor.js';
export {
  /** @deprecated The earlier name of `MonitorValidationError` (the same class), kept for existing callers. */
  MonitorValidationError as MonitorConfigError,
  MonitorValidationError,
} from './errors.js';
export { renderHtmlReport } from './render/html.js';
export { renderJsonReport } from './render/json.js';
export { renderTextReport, type TextReportOptions } from './render/text.js';
export type {
  CharacterTrendReading,
  IntegrationRecommendation,
  MonitorReport,
  PlanStep,
  SetupItem,
  StoreStatus,
  TrendPoint,
  TrendsReading,
} from './report/types.js';
export { type Finding, findBottlenecks, RULES, type Rule, type RuleId } from './rules/index.js';
export {
  DEFAULT_THRESHOLDS,
  parseThresholds,
  THRESHOLD_NAMES,
  THRESHOLD_SPECS,
  type ThresholdName,
  type Thresholds,
} from './thresholds.js';
export type {
  CacheNamespaceReading,
  DuckdbReading,
  FlowRun,
  FlowSummary,
  FlowsReading,
  FlowTimingsProvider,
  LatencySummary,
  MonitoredStore,
  MonitorSnapshot,
  MonitorStores,
  OutboxReading,
  PostgresReading,
  QdrantReading,
  Reading,
  RedisReading,
  StepSummary,
  VectorsStatsSource,
} from './types.js';
