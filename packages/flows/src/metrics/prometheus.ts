// The real-time metrics in Prometheus text format through prom-client: one histogram (seconds,
// cumulative buckets, _sum, _count) per metric of names.ts, whose values are read at scrape time
// from the aggregates (this process's, or every process's totals in Redis).
import { REALTIME_BUCKETS_MS, type RealtimeSeries } from '@monsteros/cache';
import { Histogram, type MetricValueWithName, Registry } from 'prom-client';
import { REALTIME_METRIC_NAMES, REALTIME_METRICS, type RealtimeMetricName } from './names.js';

/** Where the series of a metric come from at scrape time. */
export type SeriesSource = (metric: RealtimeMetricName) => RealtimeSeries[] | Promise<RealtimeSeries[]>;

const SECONDS_BUCKETS = REALTIME_BUCKETS_MS.map((ms) => ms / 1000);

/** The histogram values of series (ms) in seconds: cumulative `_bucket`s, `_sum`, `_count`. */
function histogramValues(
  name: string,
  labelNames: readonly string[],
  series: readonly RealtimeSeries[],
): MetricValueWithName<string>[] {
  const values: MetricValueWithName<string>[] = [];
  for (const s of series) {
    const labels: Record<string, string> = {};
    labelNames.forEach((l, i) => {
      labels[l] = s.labels[i] ?? '';
    });
    let cumulative = 0;
    let b = 0;
    REALTIME_BUCKETS_MS.forEach((le, i) => {
      while (b < s.buckets.length && s.buckets[b]!.le <= le) cumulative += s.buckets[b++]!.count;
      values.push({
        metricName: `${name}_bucket`,
        labels: { ...labels, le: SECONDS_BUCKETS[i]! },
        value: cumulative,
      });
    });
    values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: s.count });
    values.push({ metricName: `${name}_sum`, labels, value: s.sum / 1000 });
    values.push({ metricName: `${name}_count`, labels, value: s.count });
  }
  return values;
}

/** A prom-client histogram whose values are the aggregates' at scrape time, not observations. */
class AggregateHistogram extends Histogram<string> {
  constructor(
    private readonly metric: RealtimeMetricName,
    private readonly source: SeriesSource,
  ) {
    const spec = REALTIME_METRICS[metric];
    super({
      name: spec.prometheus,
      help: spec.help,
      labelNames: [...spec.labels],
      buckets: SECONDS_BUCKETS,
      registers: [],
    });
  }

  /**
   * What prom-client's registry formats (it prefers this to `get`, and its `get` reads this):
   * the aggregates' values instead of the observations this histogram never receives.
   */
  async getForPromString(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    aggregator: 'sum';
    values: MetricValueWithName<string>[];
  }> {
    const spec = REALTIME_METRICS[this.metric];
    const values = histogramValues(spec.prometheus, spec.labels, await this.source(this.metric));
    return { name: spec.prometheus, help: spec.help, type: 'histogram', aggregator: 'sum', values };
  }
}

/**
 * The metrics of names.ts as Prometheus text (version 0.0.4), read from `source`.
 * @example
 * await prometheusText((m) => cache.realtime.local(m));
 * // # HELP monsteros_flow_run_duration_seconds Wall time of flow runs, …
 * // # TYPE monsteros_flow_run_duration_seconds histogram
 * // monsteros_flow_run_duration_seconds_bucket{le="0.005",flow="characterInteraction",outcome="ok"} 12
 */
export async function prometheusText(source: SeriesSource): Promise<string> {
  const registry = new Registry();
  for (const metric of REALTIME_METRIC_NAMES) registry.registerMetric(new AggregateHistogram(metric, source));
  return registry.metrics();
}

/** The content type of `prometheusText`'s output. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
