// The monitor's reading of the real-time metrics every process writes to Redis (see
// src/metrics/): flow runs and steps, store calls, relay rounds and events, memory operations
// over the last minutes. This is what lets `pnpm db:report` in another shell see the app.
import type { RealtimeMetrics, RealtimeMinute, RealtimeSeries } from '@monsteros/cache';
import type { StepStore } from '@monsteros/flows';
import type { RealtimeMetricName } from '@monsteros/flows/metrics';
import type { FlowSummary, FlowsReading, LatencySummary, QdrantReading, StepSummary } from '../types.js';

/** The real-time metrics as the monitor reads them (`cache.realtime`). */
export type RealtimeSource = Pick<RealtimeMetrics, 'minutes'> & Partial<Pick<RealtimeMetrics, 'published'>>;

/** A latency distribution estimated from histogram buckets (ms). */
type BucketSummary = Omit<LatencySummary, 'values'>;

/** One class of store calls over the window. */
interface StoreCallReading extends BucketSummary {
  /** `db.system`: postgresql, redis, qdrant, duckdb. */
  system: string;
  operation: string;
  /** Collection or table; empty when the class has none. */
  target: string;
  errors: number;
}

interface MemoryOpReading extends BucketSummary {
  operation: string;
  errors: number;
}

interface RelayEventReading {
  eventType: string;
  applied: number;
  retried: number;
  parked: number;
  p99Ms: number;
}

/** One minute of the window, for the charts. */
interface SharedMinute {
  /** ISO start of the minute. */
  minute: string;
  flowRuns: number;
  flowP95Ms: number;
  storeCalls: number;
  relayEvents: number;
}

/**
 * The PostgreSQL pools of every process in the busiest minute of the window (by connection
 * time held): by Little's law, the connections held on average are the time held over the
 * minute, and the callers waiting the time waited over the minute.
 */
export interface PoolMeasure {
  /** ISO start of the busiest minute. */
  minute: string;
  /** Connections in use on average over that minute (Σ hold ms / 60,000). */
  heldConcurrency: number;
  /** Callers waiting for a connection on average over that minute (Σ acquire ms / 60,000). */
  waitingConcurrency: number;
  /** Checkouts in that minute, their mean and p95 wait (ms). */
  acquires: number;
  waitMeanMs: number;
  waitP95Ms: number;
}

/** Everything every process recorded over the last `windowMinutes`. */
export interface SharedReading {
  windowMinutes: number;
  /** The newest minute with any figure, ISO (null when the window is empty). */
  lastMinute: string | null;
  storeCalls: StoreCallReading[];
  memoryOps: MemoryOpReading[];
  relay: BucketSummary & {
    rounds: number;
    applied: number;
    retried: number;
    parked: number;
    events: RelayEventReading[];
  };
  perMinute: SharedMinute[];
  /** null before any pooled PostgreSQL checkout in the window. */
  postgresPool: PoolMeasure | null;
}

/** Everything read from Redis for one snapshot: the summaries, and the flows/Qdrant readings built on them. */
export interface SharedFigures {
  reading: SharedReading;
  /** null when no flow ran in the window. */
  flows: FlowsReading | null;
  /** The vector searches of the window (Qdrant reading's `search`), empty when none. */
  search: QdrantReading['search'];
}

interface Merged {
  labels: string[];
  count: number;
  sum: number;
  max: number;
  /** le → count, not cumulative. */
  buckets: Map<number, number>;
}

const key = (labels: readonly string[]) => labels.join('\u001f');

/** Adds the minutes' series up per label set, optionally keyed by a subset of the labels. */
function merge(
  minutes: readonly RealtimeMinute[],
  by: (labels: string[]) => string[] = (l) => l,
): Map<string, Merged> {
  const out = new Map<string, Merged>();
  for (const m of minutes) for (const s of m.series) addTo(out, by(s.labels), s);
  return out;
}

function addTo(out: Map<string, Merged>, labels: string[], s: RealtimeSeries): void {
  const k = key(labels);
  let t = out.get(k);
  if (!t) {
    t = { labels, count: 0, sum: 0, max: 0, buckets: new Map() };
    out.set(k, t);
  }
  t.count += s.count;
  t.sum += s.sum;
  t.max = Math.max(t.max, s.max ?? 0);
  for (const b of s.buckets) t.buckets.set(b.le, (t.buckets.get(b.le) ?? 0) + b.count);
}

/**
 * The `q` quantile of a histogram, interpolated linearly inside its bucket (as Prometheus'
 * histogram_quantile does), capped by the largest value seen.
 */
function bucketQuantile(buckets: ReadonlyMap<number, number>, count: number, max: number, q: number): number {
  if (count === 0) return 0;
  const rank = q * count;
  let seen = 0;
  let lower = 0;
  for (const le of [...buckets.keys()].sort((a, b) => a - b)) {
    const n = buckets.get(le)!;
    if (seen + n >= rank) {
      const upper = Number.isFinite(le) ? le : max;
      const value = lower + ((upper - lower) * (rank - seen)) / n;
      return Math.min(value, max || value);
    }
    seen += n;
    lower = le;
  }
  return max;
}

function summary(m: Merged): BucketSummary {
  return {
    count: m.count,
    p50Ms: bucketQuantile(m.buckets, m.count, m.max, 0.5),
    p95Ms: bucketQuantile(m.buckets, m.count, m.max, 0.95),
    p99Ms: bucketQuantile(m.buckets, m.count, m.max, 0.99),
    maxMs: m.max,
    meanMs: m.count ? m.sum / m.count : 0,
  };
}

const EMPTY: Merged = { labels: [], count: 0, sum: 0, max: 0, buckets: new Map() };

function flowsFrom(runs: readonly RealtimeMinute[], steps: readonly RealtimeMinute[]): FlowsReading | null {
  const byFlow = merge(runs, (l) => [l[0]!]);
  if (byFlow.size === 0) return null;
  const byOutcome = merge(runs);
  const storeTime = merge(steps, (l) => [l[0]!, l[2]!]);
  const flows: FlowSummary[] = [...byFlow.values()]
    .map((f) => {
      const flow = f.labels[0]!;
      const outcome = (o: string) => byOutcome.get(key([flow, o]))?.count ?? 0;
      const stores = [...storeTime.values()].filter((s) => s.labels[0] === flow);
      const all = stores.reduce((n, s) => n + s.sum, 0);
      return {
        flow,
        ...summary(f),
        failed: outcome('failed'),
        partial: outcome('partial'),
        timeByStore: Object.fromEntries(stores.map((s) => [s.labels[1], all ? s.sum / all : 0])),
      };
    })
    .sort((a, b) => a.flow.localeCompare(b.flow));
  const byStep = merge(steps, (l) => [l[0]!, l[1]!, l[2]!]);
  const withOutcome = merge(steps);
  const stepsOut: StepSummary[] = [...byStep.values()]
    .map((s) => {
      const [flow, step, store] = s.labels as [string, string, StepStore];
      const outcome = (o: string) => withOutcome.get(key([flow, step, store, o]))?.count ?? 0;
      return { flow, step, store, ...summary(s), failed: outcome('failed'), degraded: outcome('degraded') };
    })
    .sort((a, b) => a.flow.localeCompare(b.flow) || b.meanMs - a.meanMs);
  return { runs: flows.reduce((n, f) => n + f.count, 0), flows, steps: stepsOut };
}

/** The busiest minute of the pools' checkouts (see PoolMeasure), null without any. */
function poolMeasure(calls: readonly RealtimeMinute[]): PoolMeasure | null {
  let best: PoolMeasure | null = null;
  let bestHeld = -1;
  for (const m of calls) {
    const pool = m.series.filter((s) => s.labels[0] === 'postgresql' && s.labels[2] === 'pool');
    const hold = merge(
      [{ minute: m.minute, series: pool.filter((s) => s.labels[1] === 'hold') }],
      () => [],
    ).get('');
    const wait = merge(
      [{ minute: m.minute, series: pool.filter((s) => s.labels[1] === 'acquire') }],
      () => [],
    ).get('');
    if (!hold && !wait) continue;
    const held = hold?.sum ?? 0;
    if (held <= bestHeld) continue;
    bestHeld = held;
    const w = wait ? summary(wait) : null;
    best = {
      minute: new Date(m.minute).toISOString(),
      heldConcurrency: held / 60_000,
      waitingConcurrency: (wait?.sum ?? 0) / 60_000,
      acquires: wait?.count ?? 0,
      waitMeanMs: w?.meanMs ?? 0,
      waitP95Ms: w?.p95Ms ?? 0,
    };
  }
  return best;
}

/**
 * Reads the last `windowMinutes` of every real-time metric and summarizes them.
 * @example
 * const { reading, flows } = await readSharedFigures(cache.realtime, 15);
 */
export async function readSharedFigures(
  source: RealtimeSource,
  windowMinutes: number,
): Promise<SharedFigures> {
  const to = Date.now();
  const from = to - (windowMinutes - 1) * 60_000;
  const names: RealtimeMetricName[] = [
    'flow_run',
    'flow_step',
    'store_call',
    'relay_round',
    'relay_event',
    'memory_op',
  ];
  const [runs, steps, calls, rounds, events, memory] = await Promise.all(
    names.map((metric) => source.minutes(metric, { from, to })),
  );
  const storeCalls = [...merge(calls!, (l) => [l[0]!, l[1]!, l[2]!]).values()]
    .map((m) => {
      const [system, operation, target] = m.labels as [string, string, string];
      const errors = [...merge(calls!).values()]
        .filter(
          (e) =>
            e.labels[0] === system &&
            e.labels[1] === operation &&
            e.labels[2] === target &&
            e.labels[3] === 'error',
        )
        .reduce((n, e) => n + e.count, 0);
      return { system, operation, target, ...summary(m), errors };
    })
    .sort(
      (a, b) =>
        a.system.localeCompare(b.system) ||
        a.operation.localeCompare(b.operation) ||
        a.target.localeCompare(b.target),
    );
  const memoryOps = [...merge(memory!, (l) => [l[0]!]).values()]
    .map((m) => ({
      operation: m.labels[0]!,
      ...summary(m),
      errors: merge(memory!).get(key([m.labels[0]!, 'error']))?.count ?? 0,
    }))
    .sort((a, b) => a.operation.localeCompare(b.operation));
  const eventTotals = merge(events!);
  const byType = merge(events!, (l) => [l[0]!]);
  const outcomeCount = (outcome: string, type?: string) =>
    [...eventTotals.values()]
      .filter((e) => e.labels[1] === outcome && (type === undefined || e.labels[0] === type))
      .reduce((n, e) => n + e.count, 0);
  const roundsMerged = merge(rounds!, () => []).get('') ?? EMPTY;
  const relay = {
    ...summary(roundsMerged),
    rounds: roundsMerged.count,
    applied: outcomeCount('applied'),
    retried: outcomeCount('retried'),
    parked: outcomeCount('parked'),
    events: [...byType.values()]
      .map((t) => ({
        eventType: t.labels[0]!,
        applied: outcomeCount('applied', t.labels[0]),
        retried: outcomeCount('retried', t.labels[0]),
        parked: outcomeCount('parked', t.labels[0]),
        p99Ms: summary(t).p99Ms,
      }))
      .sort((a, b) => a.eventType.localeCompare(b.eventType)),
  };
  const minuteSet = new Set<number>();
  for (const list of [runs!, calls!, events!]) for (const m of list) minuteSet.add(m.minute);
  const perMinute = [...minuteSet]
    .sort((a, b) => a - b)
    .map((minute) => {
      const at = (list: readonly RealtimeMinute[]) => list.filter((m) => m.minute === minute);
      const flowRun = merge(at(runs!), () => []).get('') ?? EMPTY;
      const count = (list: readonly RealtimeMinute[]) =>
        at(list).reduce((n, m) => n + m.series.reduce((k, s) => k + s.count, 0), 0);
      return {
        minute: new Date(minute).toISOString(),
        flowRuns: flowRun.count,
        flowP95Ms: summary(flowRun).p95Ms,
        storeCalls: count(calls!),
        relayEvents: count(events!),
      };
    });
  const search = storeCalls
    .filter((c) => c.system === 'qdrant' && c.operation === 'search')
    .map((c) => ({
      name: `search:${c.target}`,
      count: c.count,
      p50Ms: c.p50Ms,
      p99Ms: c.p99Ms,
      meanMs: c.meanMs,
    }));
  const lastMinute = perMinute.at(-1)?.minute ?? null;
  return {
    reading: {
      windowMinutes,
      lastMinute,
      storeCalls,
      memoryOps,
      relay,
      perMinute,
      postgresPool: poolMeasure(calls!),
    },
    flows: flowsFrom(runs!, steps!),
    search,
  };
}
