// Reconcile's view of the response_time samples in Redis (one per interaction, keyed by its id).
import type { Cache } from '@monsteros/cache';
import type { MetricSampleToRecord, ReconcileDeps } from '../reconcile.js';

/** The samples' ids of a character since `from` (null when the backend keeps no ids), and a re-record. */
export function responseTimeSamples(cache: Cache): NonNullable<ReconcileDeps['metricSamples']> {
  return {
    async ids(character: string, from: Date) {
      // RedisTimeSeries keys samples by timestamp alone: no ids to compare.
      if ((await cache.metrics.backend()) === 'timeseries') return null;
      const samples = await cache.metrics.samples('response_time', character, { from });
      return new Set(samples.flatMap((s) => (s.id === undefined ? [] : [s.id])));
    },
    async record(s: MetricSampleToRecord) {
      await cache.metrics.record('response_time', s.character, s.responseTimeMs, new Date(s.createdAt), {
        id: s.interactionId,
      });
    },
  };
}
