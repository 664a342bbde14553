// Real-time metrics (the seed's `real_time_metrics`): latencies and outcomes aggregated per
// minute in this process's memory (realtime-cells.ts), then added to one hash per metric and
// minute in Redis (and to the metric's running totals) by one script call per metric every
// `flushMs` (realtime-flush.ts), so recording costs no round trip and every process's figures
// meet in Redis for any reader (realtime-read.ts). The hash layout is realtime-hash.ts.
//
// Hashes rather than RedisTimeSeries even when the module is loaded: the values arrive already
// aggregated (count, sum, max, histogram buckets per label set), which a hash adds up with
// HINCRBY in one call, where TS would need one key per label set and statistic.
import type { Availability, ScriptedClient } from '../connection.js';
import type { KeyBuilders } from '../keys.js';
import { check } from '../validation.js';
import { checkRealtimeValue, Labels, MetricName, ms, RangeQuerySchema } from './inputs.js';
import { type Cell, LocalTotals, PendingCells, tally } from './realtime-cells.js';
import { createPublishedDocuments } from './realtime-documents.js';
import { createRealtimeFlusher } from './realtime-flush.js';
import { labelSetKey, minuteOf } from './realtime-hash.js';
import { readMinutes, readTotals } from './realtime-read.js';
import type { RealtimeMetrics } from './realtime-types.js';

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

/** Builds the real-time metrics (used by createCache). */
export function createRealtimeMetrics(deps: RealtimeDeps): RealtimeMetrics {
  const { client, availability, keys, retentionMs, flushMs, maxSeries } = deps;
  const pending = new PendingCells(maxSeries);
  const local = new LocalTotals(maxSeries);
  const flusher = createRealtimeFlusher({ client, availability, keys, retentionMs, flushMs, pending });
  const knownMetrics = new Set<string>();
  let timerStarted = false;
  let closed = false;

  /** Adds one value to its minute's cell and the local totals; the first starts the flush timer. */
  function add(cell: Cell, own: Cell | undefined, value: number): void {
    tally(cell, own, value);
    if (!timerStarted) {
      timerStarted = true;
      flusher.start();
    }
  }

  return {
    record(metric, labels, value) {
      if (!knownMetrics.has(metric)) {
        check(MetricName, metric, 'metric');
        knownMetrics.add(metric);
      }
      checkRealtimeValue(value);
      if (closed) return;
      // The label set's key, built once for the pending and the local aggregates (the hot path).
      const set = labelSetKey(labels);
      const cell = pending.cellFor(minuteOf(Date.now()), metric, labels, set);
      if (!cell) {
        pending.dropped++;
        return;
      }
      add(cell, local.cellFor(metric, set, cell.labels), value);
    },
    series(metric, labels) {
      check(MetricName, metric, 'metric');
      const own = [...check(Labels, labels, 'labels')];
      const set = labelSetKey(own);
      // The minute's cell, looked up again when the minute turns or a flush takes the pending map.
      let cell: Cell | undefined;
      let cellMinute = -1;
      let cellGeneration = -1;
      let totals: Cell | undefined | null = null;
      return {
        record(value) {
          checkRealtimeValue(value);
          if (closed) return;
          const minute = minuteOf(Date.now());
          if (minute !== cellMinute || cellGeneration !== pending.generation) {
            cell = pending.cellFor(minute, metric, own, set);
            cellMinute = minute;
            cellGeneration = pending.generation;
          }
          if (!cell) {
            pending.dropped++;
            return;
          }
          if (totals === null) totals = local.cellFor(metric, set, cell.labels);
          add(cell, totals, value);
        },
      };
    },
    flush: flusher.flush,
    async minutes(metric, range = {}) {
      check(MetricName, metric, 'metric');
      const r = check(RangeQuerySchema, range, 'range');
      const to = r.to === undefined ? Date.now() : ms(r.to);
      const from = r.from === undefined ? to - 3_600_000 : ms(r.from);
      return readMinutes(deps, metric, from, to);
    },
    async totals(metric) {
      check(MetricName, metric, 'metric');
      return readTotals(deps, metric);
    },
    local: (metric) => local.list(metric),
    ...createPublishedDocuments(deps),
    pending: () => ({ series: pending.count, dropped: pending.dropped }),
    async close() {
      closed = true;
      flusher.stop();
      await flusher.flush();
    },
  };
}
