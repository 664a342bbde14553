// The bottleneck rules' limits: one table of names, defaults, units and meanings, from which
// the zod schema, the defaults and the report's "Monitoring Setup" table are all derived.
import { z } from 'zod';
import { MonitorValidationError } from './errors.js';

type Unit = 'ratio' | 'ms' | 'count';

interface ThresholdSpec {
  default: number;
  unit: Unit;
  /** What crossing it means, for the report. */
  meaning: string;
}

export const THRESHOLD_SPECS = {
  postgresCacheHitRatioMin: {
    default: 0.95,
    unit: 'ratio',
    meaning: 'PostgreSQL buffer cache hit ratio below this',
  },
  postgresSlowStatementMeanMs: {
    default: 100,
    unit: 'ms',
    meaning: 'a statement whose mean execution time is above this',
  },
  postgresLockWaitMs: {
    default: 1_000,
    unit: 'ms',
    meaning: 'a session waiting for a lock longer than this',
  },
  postgresConnectionUsageMax: {
    default: 0.8,
    unit: 'ratio',
    meaning: 'server connections above this share of max_connections',
  },
  postgresPoolWaitingMax: {
    default: 0,
    unit: 'count',
    meaning: 'more requests than this waiting for a pool connection',
  },
  redisMemoryUsageMax: { default: 0.8, unit: 'ratio', meaning: 'Redis memory above this share of maxmemory' },
  redisLatencyP99Ms: { default: 10, unit: 'ms', meaning: 'Redis round trip p99 above this' },
  cacheHitRateMin: { default: 0.8, unit: 'ratio', meaning: 'a cache namespace hit rate below this' },
  cacheMinReads: {
    default: 100,
    unit: 'count',
    meaning: 'reads a namespace needs before its hit rate is judged',
  },
  qdrantSearchMeanMs: { default: 100, unit: 'ms', meaning: 'mean vector search time above this' },
  outboxBacklogMax: { default: 1_000, unit: 'count', meaning: 'more pending outbox events than this' },
  outboxOldestPendingMs: {
    default: 60_000,
    unit: 'ms',
    meaning: 'the oldest pending outbox event older than this',
  },
  outboxParkedMax: { default: 0, unit: 'count', meaning: 'more parked outbox events than this' },
  duckdbQueryP99Ms: { default: 1_000, unit: 'ms', meaning: 'an analytics query p99 above this' },
  duckdbMemoryUsageMax: {
    default: 0.8,
    unit: 'ratio',
    meaning: 'DuckDB memory above this share of its memory_limit',
  },
  analyticsIngestLagMs: {
    default: 3_600_000,
    unit: 'ms',
    meaning: 'an ingestion source last run longer ago than this',
  },
  flowStepP95Ms: { default: 250, unit: 'ms', meaning: 'a flow step p95 above this' },
  flowFailureRateMax: {
    default: 0.05,
    unit: 'ratio',
    meaning: 'a flow step failing or degrading in more than this share of runs',
  },
  flowMinRuns: { default: 10, unit: 'count', meaning: 'runs a step needs before its figures are judged' },
} as const satisfies Record<string, ThresholdSpec>;

export type ThresholdName = keyof typeof THRESHOLD_SPECS;
/** Every rule's limit; see THRESHOLD_SPECS for the defaults and meanings. */
export type Thresholds = Record<ThresholdName, number>;

export const THRESHOLD_NAMES = Object.keys(THRESHOLD_SPECS) as ThresholdName[];

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze(
  Object.fromEntries(THRESHOLD_NAMES.map((name) => [name, THRESHOLD_SPECS[name].default])) as Thresholds,
);

function rule(unit: Unit) {
  const n = z.number({ message: 'must be a number' }).refine(Number.isFinite, 'must be a finite number');
  if (unit === 'ratio')
    return n.min(0, 'must be a ratio between 0 and 1').max(1, 'must be a ratio between 0 and 1');
  if (unit === 'count') return n.int('must be a whole number').min(0, 'must not be negative');
  return n.min(0, 'must not be negative');
}

const ThresholdsSchema = z.strictObject(
  Object.fromEntries(
    THRESHOLD_NAMES.map((name) => [name, rule(THRESHOLD_SPECS[name].unit).optional()]),
  ) as Record<ThresholdName, z.ZodOptional<ReturnType<typeof rule>>>,
);

/**
 * Validates threshold overrides and fills in the defaults. Throws a MonitorValidationError naming
 * `thresholds.<name>` and the rule: an unknown name, a ratio outside 0..1, a negative limit.
 * @example
 * const limits = parseThresholds({ redisMemoryUsageMax: 0.7 });
 */
export function parseThresholds(overrides: unknown = {}): Thresholds {
  const parsed = ThresholdsSchema.safeParse(overrides ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new MonitorValidationError(
        `thresholds.${issue.keys[0]}`,
        `is not a known threshold (known: ${THRESHOLD_NAMES.join(', ')})`,
      );
    }
    const field = issue.path.length ? `thresholds.${issue.path.join('.')}` : 'thresholds';
    throw new MonitorValidationError(
      field,
      issue.path.length ? issue.message : 'must be an object of numbers',
    );
  }
  const out = { ...DEFAULT_THRESHOLDS };
  for (const name of THRESHOLD_NAMES) {
    const value = parsed.data[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
