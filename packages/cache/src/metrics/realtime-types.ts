// The real-time metrics' public shapes: what `cache.realtime` does and what its reads return.
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
