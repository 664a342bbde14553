// syncAnalytics: what changed in PostgreSQL and the Redis response-time series, ingested into DuckDB.
import type { Analytics, IngestResult, MetricSeries } from '@monsteros/analytics';
import type { Cache } from '@monsteros/cache';
import type { Relational } from '@monsteros/relational';

/**
 * The analytics' ingestion fed from relational (`COPY … TO STDOUT`) and from the cache's
 * `response_time` series of every character; a process without analytics ingests nothing.
 */
export function analyticsSync(deps: {
  relational: Relational;
  cache: Cache;
  analytics: Analytics | null;
}): () => Promise<IngestResult[]> {
  const { relational, cache, analytics } = deps;
  const postgresSource = { copyTo: (statement: string) => relational.copyOut(statement) };
  const metricsSource = {
    async read(since: Date): Promise<MetricSeries[]> {
      const names = (await relational.characters.list()).map((c) => c.name);
      const out: MetricSeries[] = [];
      for (const agent of names) {
        const samples = await cache.metrics.samples('response_time', agent, { from: since });
        if (samples.length) {
          out.push({
            metricType: 'response_time',
            agentName: agent,
            samples: samples.map((s) => ({ timestamp: s.timestamp, value: s.value })),
          });
        }
      }
      return out;
    },
  };
  return async (): Promise<IngestResult[]> => {
    if (!analytics) return [];
    const results = await analytics.ingest.postgres(postgresSource);
    results.push(await analytics.ingest.metrics(metricsSource));
    return results;
  };
}
