// Real-time metrics (the seed's `real_time_metrics`): latencies and outcomes aggregated per
// minute in this process's memory, then added to one hash per metric and minute in Redis (and to
// the metric's running totals) by one script call per metric every `flushMs`, so recording costs
// no round trip and every process's figures meet in Redis for any reader.
//
// Hashes rather than RedisTimeSeries even when the module is loaded: the values arrive already
// aggregated (count, sum, max, histogram buckets per label set), which a hash adds up with
// HINCRBY in one call, where TS would need one key per label set and statistic.
import { Cluster } from 'ioredis';
import { z } from 'zod';
import type { Availability, ScriptedClient, ScriptedPipeline } from '../connection.js';
import { CacheValidationError, mapRedisError } from '../errors.js';
import type { KeyBuilders } from '../keys.js';
import { check } from '../validation.js';

/** Upper bounds (ms) of the latency histogram buckets; a last bucket holds what is above them. */
export const REALTIME_BUCKETS_MS: readonly number[] = [
  0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000,
];

const MINUTE_MS = 60_000;
/** Between label values, and between the label set and the statistic, in a hash field. */
const LABEL_SEP = '\u001f';
const STAT_SEP = '\u001e';

/** One histogram bucket: how many values were at most `le` (and above the bucket before). */
export interface RealtimeBucket {
  /** Upper bound in the metric's unit; `Infinity` for the last bucket. */
  le: number;
  count: number;
}

/** One label set's aggregate over a minute (or over all time, for totals). */
export interface RealtimeSeries {
  labels: string[];
  count: number;
  sum: number;
  /** The largest value in the minute; null in totals. */
  max: number | null;
  /** Not cumulative, ascending by `le`; buckets nothing fell into are left out. */
  buckets: RealtimeBucket[];
}

/** A minute of one metric: its start (epoch ms) and every label set recorded in it. */
export interface RealtimeMinute {
  minute: number;
  series: RealtimeSeries[];
}

export interface RealtimeRange {
  /** Start, inclusive (ms or Date). Default an hour ago. */
  from?: number | Date;
  /** End, inclusive (ms or Date). Default now. */
  to?: number | Date;
}

/** Real-time metrics shared by every process through Redis. */
export interface RealtimeMetrics {
  /**
   * Records one value (a latency in ms, usually) of `metric` under `labels`, in memory; sent to
   * Redis by the next flush. Synchronous and allocation-light: meant for hot paths.
   * @example cache.realtime.record('flow_step', ['characterInteraction', 'record interaction', 'postgres', 'ok'], 1.8);
   */
  record(metric: string, labels: readonly string[], value: number): void;
  /**
   * One label set of `metric`, resolved once (name and labels checked here, their key built
   * here): recording through it is `record` without the per-call lookups, for callers that
   * record the same label set many times (a store call class, a flow step).
   * @example
   * const search = cache.realtime.series('store_call', ['qdrant', 'search', 'character_memories', 'ok']);
   * search.record(4.2); // same aggregates as cache.realtime.record('store_call', [...], 4.2)
   */
  series(metric: string, labels: readonly string[]): RealtimeSeriesRecorder;
  /** Sends what is pending now (also done every `flushMs` and by `close()`); never throws. */
  flush(): Promise<void>;
  /**
   * The minutes of `metric` in a range, oldest first, as every process recorded them.
   * @example
   * const minutes = await cache.realtime.minutes('flow_step', { from: Date.now() - 300_000 });
   * // [{ minute: 1765065600000, series: [{ labels: [...], count: 12, sum: 30.5, max: 4.1, buckets: [{ le: 2.5, count: 9 }, …] }] }]
   */
  minutes(metric: string, range?: RealtimeRange): Promise<RealtimeMinute[]>;
  /** The running totals of `metric` per label set since its keys were created (for counters). */
  totals(metric: string): Promise<RealtimeSeries[]>;
  /**
   * This process's own running totals of `metric` per label set since it started (what a
   * per-process Prometheus endpoint exposes); kept in memory, never sent.
   */
  local(metric: string): RealtimeSeries[];
  /**
   * Publishes a small JSON document under `name` for `ttlMs` (figures only one process can read,
   * such as an embedded engine's, for the monitor in another process); replaces the last one.
   * @example await cache.realtime.publish('local_vectors', { collections }, 60_000); // mos:rtm:{local_vectors}:doc
   */
  publish(name: string, doc: unknown, ttlMs: number): Promise<void>;
  /** The document last published under `name` and when, or null (none, or expired). */
  published(name: string): Promise<{ at: string; doc: unknown } | null>;
  /** Label sets × minutes waiting for the next flush, and values dropped (series limit, or Redis down too long). */
  pending(): { series: number; dropped: number };
  /** Stops the flush timer after a last flush. */
  close(): Promise<void>;
}

/** One label set of a metric, resolved once (`realtime.series`). */
export interface RealtimeSeriesRecorder {
  /** Records one value, as `realtime.record(metric, labels, value)` does. */
  record(value: number): void;
}

export interface RealtimeDeps {
  client: ScriptedClient;
  availability: Availability;
  keys: KeyBuilders;
  /** How long a minute's hash is kept, and the totals after their last write. */
  retentionMs: number;
  flushMs: number;
  /** Label sets held per minute before new ones are dropped (cardinality guard). */
  maxSeries: number;
}

interface Cell {
  labels: readonly string[];
  count: number;
  sum: number;
  max: number;
  buckets: Uint32Array;
}

const MetricName = z
  .string({ message: 'must be a string' })
  .regex(
    /^[a-z][a-z0-9_]{0,63}$/,
    'must be lower-case letters, digits and _ (at most 64), starting with a letter',
  );
const Labels = z.array(
  z
    .string({ message: 'must be a string' })
    .max(200, 'must be at most 200 characters')
    .refine((s) => !s.includes(LABEL_SEP) && !s.includes(STAT_SEP), 'must not contain \\u001e or \\u001f'),
  { message: 'must be an array of strings' },
);
const Time = z.union([
  z
    .number({ message: 'must be milliseconds or a Date' })
    .int('must be whole milliseconds')
    .min(0, 'must not be negative'),
  z.date({ message: 'must be milliseconds or a Date' }),
]);
const RangeSchema = z.object({ from: Time.optional(), to: Time.optional() });
const ms = (t: number | Date) => (t instanceof Date ? t.getTime() : t);
/** At most a day of minutes per read. */
const MAX_MINUTES = 1_440;

const bucketIndex = (value: number): number => {
  let i = 0;
  while (i < REALTIME_BUCKETS_MS.length && value > REALTIME_BUCKETS_MS[i]!) i++;
  return i;
};
const BUCKET_FIELDS = [...REALTIME_BUCKETS_MS.map((b) => `le:${b}`), 'le:+Inf'];

/** Parses one hash (field → value) into label sets. */
function parseSeries(flat: Record<string, string>, withMax: boolean): RealtimeSeries[] {
  const bySet = new Map<string, RealtimeSeries>();
  for (const [field, raw] of Object.entries(flat)) {
    const cut = field.lastIndexOf(STAT_SEP);
    if (cut < 0) continue;
    const set = field.slice(0, cut);
    const stat = field.slice(cut + 1);
    let s = bySet.get(set);
    if (!s) {
      s = {
        labels: set === '' ? [] : set.split(LABEL_SEP),
        count: 0,
        sum: 0,
        max: withMax ? 0 : null,
        buckets: [],
      };
      bySet.set(set, s);
    }
    const value = Number(raw);
    if (stat === 'count') s.count = value;
    else if (stat === 'sum') s.sum = value;
    else if (stat === 'max') s.max = withMax ? value : null;
    else if (stat.startsWith('le:')) {
      const le = stat === 'le:+Inf' ? Number.POSITIVE_INFINITY : Number(stat.slice(3));
      if (value > 0) s.buckets.push({ le, count: value });
    }
  }
  const out = [...bySet.values()];
  for (const s of out) s.buckets.sort((a, b) => a.le - b.le);
  return out.sort((a, b) => a.labels.join(LABEL_SEP).localeCompare(b.labels.join(LABEL_SEP)));
}

/** Builds the real-time metrics (used by createCache). */
export function createRealtimeMetrics(deps: RealtimeDeps): RealtimeMetrics {
  const { client, availability, keys, retentionMs, flushMs, maxSeries } = deps;
  /** minute → metric → label set → cell. */
  let pendingCells = new Map<number, Map<string, Map<string, Cell>>>();
  /** Bumped each time `pendingCells` is swapped for a new map: a series' cached cell is then stale. */
  let generation = 0;
  let pendingCount = 0;
  let dropped = 0;
  const knownMetrics = new Set<string>();
  /** metric → label set → this process's running totals. */
  const localCells = new Map<string, Map<string, Cell>>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | null = null;
  let closed = false;

  function cellFor(
    minute: number,
    metric: string,
    labels: readonly string[],
    set: string = labels.length === 1 ? labels[0]! : labels.join(LABEL_SEP),
  ): Cell | undefined {
    let byMetric = pendingCells.get(minute);
    if (!byMetric) {
      byMetric = new Map();
      pendingCells.set(minute, byMetric);
    }
    let bySet = byMetric.get(metric);
    if (!bySet) {
      bySet = new Map();
      byMetric.set(metric, bySet);
    }
    let cell = bySet.get(set);
    if (!cell) {
      if (bySet.size >= maxSeries) return undefined;
      check(Labels, labels, 'labels');
      cell = {
        labels: [...labels],
        count: 0,
        sum: 0,
        max: 0,
        buckets: new Uint32Array(BUCKET_FIELDS.length),
      };
      bySet.set(set, cell);
      pendingCount++;
    }
    return cell;
  }

  function add(minute: number, metric: string, from: Cell): void {
    const cell = cellFor(minute, metric, from.labels);
    if (!cell) {
      dropped += from.count;
      return;
    }
    cell.count += from.count;
    cell.sum += from.sum;
    if (from.max > cell.max) cell.max = from.max;
    for (let i = 0; i < from.buckets.length; i++) cell.buckets[i]! += from.buckets[i]!;
  }

  function scriptArgs(bySet: Map<string, Cell>): string[] {
    const args: string[] = [];
    for (const [set, cell] of bySet) {
      const f = set + STAT_SEP;
      args.push(
        'i',
        `${f}count`,
        String(cell.count),
        'f',
        `${f}sum`,
        String(cell.sum),
        'm',
        `${f}max`,
        String(cell.max),
      );
      for (let i = 0; i < cell.buckets.length; i++) {
        if (cell.buckets[i]! > 0) args.push('i', f + BUCKET_FIELDS[i]!, String(cell.buckets[i]!));
      }
    }
    return args;
  }

  async function send(batch: Map<number, Map<string, Map<string, Cell>>>): Promise<void> {
    const calls: Array<(p: ScriptedPipeline | ScriptedClient) => unknown> = [];
    for (const [minute, byMetric] of batch) {
      for (const [metric, bySet] of byMetric) {
        const minuteKey = keys.realtimeMinute(metric, minute);
        const totalsKey = keys.realtimeTotals(metric);
        const args = scriptArgs(bySet);
        calls.push((p) =>
          p.mosRealtimeFlush(minuteKey, totalsKey, String(retentionMs), String(retentionMs), ...args),
        );
      }
    }
    if (calls.length === 0) return;
    await availability.run('flush real-time metrics', async () => {
      if (client instanceof Cluster) {
        // Each metric's keys are in one slot; the metrics are spread over the nodes.
        await Promise.all(calls.map((c) => c(client)));
        return;
      }
      const pipeline = client.pipeline() as ScriptedPipeline;
      for (const c of calls) c(pipeline);
      const failed = ((await pipeline.exec()) ?? []).find(([error]) => error);
      if (failed) throw mapRedisError(failed[0], 'flush real-time metrics');
    });
  }

  async function flushOnce(): Promise<void> {
    if (pendingCount === 0) return;
    const batch = pendingCells;
    pendingCells = new Map();
    generation++;
    pendingCount = 0;
    try {
      await send(batch);
    } catch {
      // Kept for the next flush (Redis down); minutes past the retention are given up.
      const oldest = Math.floor((Date.now() - retentionMs) / MINUTE_MS) * MINUTE_MS;
      for (const [minute, byMetric] of batch) {
        for (const [metric, bySet] of byMetric) {
          for (const cell of bySet.values()) {
            if (minute < oldest) dropped += cell.count;
            else add(minute, metric, cell);
          }
        }
      }
    }
  }

  function flush(): Promise<void> {
    // One flush at a time; a caller arriving meanwhile waits for it, then sends what came since.
    const run = (flushing ?? Promise.resolve()).then(flushOnce);
    const mine = run.finally(() => {
      if (flushing === mine) flushing = null;
    });
    flushing = mine;
    return mine;
  }

  async function readHash(key: string): Promise<Record<string, string>> {
    return (await availability.run('read real-time metrics', () => client.hgetall(key))) as Record<
      string,
      string
    >;
  }

  /** This process's running totals of a label set (undefined past the series limit). */
  function localFor(metric: string, set: string, labels: readonly string[]): Cell | undefined {
    let localSets = localCells.get(metric);
    if (!localSets) {
      localSets = new Map();
      localCells.set(metric, localSets);
    }
    let own = localSets.get(set);
    if (!own) {
      if (localSets.size >= maxSeries) return undefined;
      own = { labels, count: 0, sum: 0, max: 0, buckets: new Uint32Array(BUCKET_FIELDS.length) };
      localSets.set(set, own);
    }
    return own;
  }

  function checkValue(value: number): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new CacheValidationError('value', 'must be a finite number of at least 0');
  }

  /** Adds one value to a minute's cell and to the process's totals. */
  function tally(cell: Cell, own: Cell | undefined, value: number): void {
    const bucket = bucketIndex(value);
    cell.count++;
    cell.sum += value;
    if (value > cell.max) cell.max = value;
    cell.buckets[bucket]!++;
    if (own) {
      own.count++;
      own.sum += value;
      own.buckets[bucket]!++;
    }
    if (!timer) {
      timer = setInterval(() => void flush(), flushMs);
      timer.unref();
    }
  }

  const currentMinute = () => Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;

  return {
    record(metric, labels, value) {
      if (!knownMetrics.has(metric)) {
        check(MetricName, metric, 'metric');
        knownMetrics.add(metric);
      }
      checkValue(value);
      if (closed) return;
      // The label set's key, built once for the pending and the local aggregates (the hot path).
      const set = labels.length === 1 ? labels[0]! : labels.join(LABEL_SEP);
      const cell = cellFor(currentMinute(), metric, labels, set);
      if (!cell) {
        dropped++;
        return;
      }
      tally(cell, localFor(metric, set, cell.labels), value);
    },
    series(metric, labels) {
      check(MetricName, metric, 'metric');
      const own = [...check(Labels, labels, 'labels')];
      const set = own.length === 1 ? own[0]! : own.join(LABEL_SEP);
      // The minute's cell, looked up again when the minute turns or a flush takes the pending map.
      let cell: Cell | undefined;
      let cellMinute = -1;
      let cellGeneration = -1;
      let local: Cell | undefined | null = null;
      return {
        record(value) {
          checkValue(value);
          if (closed) return;
          const minute = currentMinute();
          if (minute !== cellMinute || cellGeneration !== generation) {
            cell = cellFor(minute, metric, own, set);
            cellMinute = minute;
            cellGeneration = generation;
          }
          if (!cell) {
            dropped++;
            return;
          }
          if (local === null) local = localFor(metric, set, cell.labels);
          tally(cell, local, value);
        },
      };
    },
    flush,
    async minutes(metric, range = {}) {
      check(MetricName, metric, 'metric');
      const r = check(RangeSchema, range, 'range');
      const to = r.to === undefined ? Date.now() : ms(r.to);
      const from = r.from === undefined ? to - 3_600_000 : ms(r.from);
      if (from > to) throw new CacheValidationError('range.from', 'must not be after range.to');
      const first = Math.floor(from / MINUTE_MS) * MINUTE_MS;
      const last = Math.floor(to / MINUTE_MS) * MINUTE_MS;
      if ((last - first) / MINUTE_MS + 1 > MAX_MINUTES)
        throw new CacheValidationError('range', `must span at most ${MAX_MINUTES} minutes`);
      const minuteStarts: number[] = [];
      for (let m = first; m <= last; m += MINUTE_MS) minuteStarts.push(m);
      const hashes = await availability.run('read real-time metrics', async () => {
        if (client instanceof Cluster)
          return Promise.all(minuteStarts.map((m) => client.hgetall(keys.realtimeMinute(metric, m))));
        const pipeline = client.pipeline();
        for (const m of minuteStarts) pipeline.hgetall(keys.realtimeMinute(metric, m));
        const results = (await pipeline.exec()) ?? [];
        return results.map(([error, value]) => {
          if (error) throw mapRedisError(error, 'read real-time metrics');
          return value as Record<string, string>;
        });
      });
      const out: RealtimeMinute[] = [];
      hashes.forEach((flat, i) => {
        const series = parseSeries(flat, true);
        if (series.length) out.push({ minute: minuteStarts[i]!, series });
      });
      return out;
    },
    async totals(metric) {
      check(MetricName, metric, 'metric');
      return parseSeries(await readHash(keys.realtimeTotals(metric)), false);
    },
    local(metric) {
      const out: RealtimeSeries[] = [];
      for (const cell of localCells.get(metric)?.values() ?? []) {
        const buckets: RealtimeBucket[] = [];
        cell.buckets.forEach((count, i) => {
          if (count > 0) buckets.push({ le: REALTIME_BUCKETS_MS[i] ?? Number.POSITIVE_INFINITY, count });
        });
        out.push({ labels: [...cell.labels], count: cell.count, sum: cell.sum, max: null, buckets });
      }
      return out.sort((a, b) => a.labels.join(LABEL_SEP).localeCompare(b.labels.join(LABEL_SEP)));
    },
    async publish(name, doc, ttlMs) {
      check(MetricName, name, 'name');
      check(
        z.number().int('must be whole milliseconds').min(1_000, 'must be at least 1000 ms'),
        ttlMs,
        'ttlMs',
      );
      let text: string;
      try {
        text = JSON.stringify({ at: new Date().toISOString(), doc });
      } catch (error) {
        throw new CacheValidationError('doc', `must be JSON (${(error as Error).message})`);
      }
      if (text === undefined || text.length > 1_000_000)
        throw new CacheValidationError('doc', 'must be JSON of at most 1,000,000 characters');
      await availability.run('publish document', () => client.set(keys.realtimeDoc(name), text, 'PX', ttlMs));
    },
    async published(name) {
      check(MetricName, name, 'name');
      const text = await availability.run('read published document', () =>
        client.get(keys.realtimeDoc(name)),
      );
      if (text === null) return null;
      try {
        const parsed = JSON.parse(text) as { at: string; doc: unknown };
        return typeof parsed?.at === 'string' ? parsed : null;
      } catch {
        return null;
      }
    },
    pending: () => ({ series: pendingCount, dropped }),
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}
