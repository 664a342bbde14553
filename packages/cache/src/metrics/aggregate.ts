/** How samples in one bucket are combined (the subset of TS.RANGE's aggregators we use). */
export type Aggregation = 'avg' | 'max' | 'min' | 'sum' | 'count';

/** One raw sample. */
export interface MetricSample {
  /** Milliseconds since the epoch. */
  timestamp: number;
  value: number;
  /**
   * The sample's id (given to `record`, else generated). Absent with RedisTimeSeries, which keys
   * samples by timestamp alone, and on samples written before ids existed.
   */
  id?: string;
}

/** One aggregated bucket: `timestamp` is the bucket's start (aligned to the epoch, like TS.RANGE). */
export interface MetricBucket {
  timestamp: number;
  value: number;
}

/**
 * Groups samples (sorted by time) into buckets of `bucketMs` aligned to 0, as TS.RANGE
 * AGGREGATION does; empty buckets are left out.
 * @example aggregate(samples, 60_000, 'avg')
 */
export function aggregate(
  samples: MetricSample[],
  bucketMs: number,
  aggregation: Aggregation,
): MetricBucket[] {
  const out: MetricBucket[] = [];
  let start = Number.NaN;
  let sum = 0;
  let count = 0;
  let max = Number.NEGATIVE_INFINITY;
  let min = Number.POSITIVE_INFINITY;
  const flush = () => {
    if (count === 0) return;
    const value =
      aggregation === 'avg'
        ? sum / count
        : aggregation === 'sum'
          ? sum
          : aggregation === 'count'
            ? count
            : aggregation === 'max'
              ? max
              : min;
    out.push({ timestamp: start, value });
  };
  for (const s of samples) {
    const bucket = Math.floor(s.timestamp / bucketMs) * bucketMs;
    if (bucket !== start) {
      flush();
      start = bucket;
      sum = 0;
      count = 0;
      max = Number.NEGATIVE_INFINITY;
      min = Number.POSITIVE_INFINITY;
    }
    sum += s.value;
    count++;
    if (s.value > max) max = s.value;
    if (s.value < min) min = s.value;
  }
  flush();
  return out;
}
