import { z } from 'zod';
import { collectSnapshot } from './collect/snapshot.js';
import { MonitorValidationError } from './errors.js';
import { buildReport } from './report/build-report.js';
import type { MonitorReport } from './report/types.js';
import { findBottlenecks } from './rules/find-bottlenecks.js';
import type { Finding } from './rules/rule.js';
import { parseThresholds, type ThresholdName, type Thresholds } from './thresholds.js';
import type { MonitorSnapshot, MonitorStores } from './types.js';

/** Options of `createMonitor`: the stores, and the limits of the rules. */
export interface MonitorOptions extends MonitorStores {
  /** Overrides of the rule limits by name (see THRESHOLD_SPECS); an unknown name is an error. */
  thresholds?: Partial<Record<ThresholdName, number>>;
  /** Round trips timed per store for the latency distributions. Default 20. */
  latencySamples?: number;
  /** Limit of each store's reading, in ms. Default 5,000. */
  timeoutMs?: number;
  /** Hours of interaction trends in the report. Default 24. */
  trendHours?: number;
  /** Minutes of real-time metrics (every process's, from Redis) the readings cover. Default 15. */
  windowMinutes?: number;
}

/** Watches the stores: a typed snapshot, the bottlenecks in it, and the report. */
export interface Monitor {
  /** The limits in force (defaults and overrides). */
  readonly thresholds: Readonly<Thresholds>;
  /**
   * Reads every store at once: PostgreSQL, Redis, Qdrant, DuckDB, the outbox and the flow
   * step timings. A store that is down gives an `unavailable` reading, never an exception.
   * @example
   * const { postgres } = await monitor.collect();
   * if (postgres.status === 'ok') console.log(postgres.cacheHitRatio);
   */
  collect(): Promise<MonitorSnapshot>;
  /**
   * The thresholds crossed, critical first, each with the store, the issue, the measured
   * value, the threshold and a recommended action. Collects first unless given a snapshot.
   * @example
   * for (const f of await monitor.bottlenecks()) console.log(f.store, f.issue, f.action);
   */
  bottlenecks(snapshot?: MonitorSnapshot): Promise<Finding[]>;
  /**
   * Everything the report shows (status, analysis, recommendations, plan, setup, trends), for
   * `renderTextReport` / `renderHtmlReport` or as JSON.
   * @example
   * const html = renderHtmlReport(await monitor.report());
   */
  report(): Promise<MonitorReport>;
}

const SettingsSchema = z.object({
  latencySamples: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000, 'must be at most 1000'),
  timeoutMs: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1 ms')
    .max(600_000, 'must be at most 10 minutes'),
  trendHours: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(24 * 366, 'must be at most a year'),
  windowMinutes: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_440, 'must be at most 1440 (a day)'),
});

function requireMethods(value: unknown, field: string, methods: string[], what: string): void {
  const missing = methods.filter((path) => {
    let target: unknown = value;
    for (const part of path.split('.')) target = (target as Record<string, unknown> | undefined)?.[part];
    return typeof target !== 'function';
  });
  if (missing.length)
    throw new MonitorValidationError(field, `must be ${what} (missing ${missing.join(', ')})`);
}

/**
 * Creates the performance monitor over the stores of a data layer. Validates the thresholds
 * and settings at once (a MonitorValidationError names the field and the rule); reads nothing yet.
 * @example
 * const monitor = createMonitor({ relational, cache, analytics, thresholds: { cacheHitRateMin: 0.9 } });
 * const findings = await monitor.bottlenecks();
 */
export function createMonitor(options: MonitorOptions): Monitor {
  if (typeof options !== 'object' || options === null)
    throw new MonitorValidationError('options', 'must be an object');
  requireMethods(
    options.relational,
    'relational',
    ['stats', 'health', 'outbox.backlog'],
    'the object createRelational returns',
  );
  requireMethods(options.cache, 'cache', ['stats', 'health', 'redis.info'], 'the object createCache returns');
  if (options.analytics != null)
    requireMethods(
      options.analytics,
      'analytics',
      ['stats', 'health', 'characterTrends', 'memoryEfficiency'],
      'the object createAnalytics returns',
    );
  if (options.vectors != null) requireMethods(options.vectors, 'vectors', ['stats'], 'a vector store');
  if (options.relay !== undefined) requireMethods(options.relay, 'relay', ['stats'], 'a relay');
  if (options.realtime != null)
    requireMethods(options.realtime, 'realtime', ['minutes'], 'real-time metrics (cache.realtime)');
  if (options.timings !== undefined && typeof options.timings !== 'function') {
    throw new MonitorValidationError('timings', 'must be a function returning recent flow runs');
  }
  const thresholds = Object.freeze(parseThresholds(options.thresholds ?? {}));
  const parsed = SettingsSchema.safeParse({
    latencySamples: options.latencySamples ?? 20,
    timeoutMs: options.timeoutMs ?? 5_000,
    trendHours: options.trendHours ?? 24,
    windowMinutes: options.windowMinutes ?? 15,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new MonitorValidationError(String(issue.path[0]), issue.message);
  }
  const settings = parsed.data;
  const stores: MonitorStores = options;

  return {
    thresholds,
    collect: () => collectSnapshot(stores, settings),
    async bottlenecks(snapshot) {
      return findBottlenecks(snapshot ?? (await collectSnapshot(stores, settings)), thresholds);
    },
    report: () => buildReport(stores, thresholds, settings),
  };
}
