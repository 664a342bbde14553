// What the analytics ingest from. This package opens no PostgreSQL or Redis connection itself
// (see the architecture): the caller hands it sources, and `@monsteros/flows` wires
// `@monsteros/relational` and `@monsteros/cache` into them.

/**
 * PostgreSQL as a bulk source: runs the given `COPY (…) TO STDOUT WITH (FORMAT csv)` statement
 * and returns its bytes as they stream. The ingestion stops reading early when a batch fails, so
 * the source must discard (not return to its pool) a connection whose COPY did not end;
 * `@monsteros/relational`'s `copyOut` does, and `@monsteros/flows` wires it in:
 * @example
 * const source: PostgresSource = { copyTo: (statement) => relational.copyOut(statement) };
 */
export interface PostgresSource {
  copyTo(statement: string): AsyncIterable<Uint8Array | string> | Promise<AsyncIterable<Uint8Array | string>>;
}

/** One sample of a metric: milliseconds since the epoch (or a Date) and a finite value. */
export interface MetricSample {
  timestamp: Date | number;
  value: number;
}

/** The samples of one metric of one agent, e.g. `response_time` of `sage`. */
export interface MetricSeries {
  metricType: string;
  agentName: string;
  samples: MetricSample[];
}

/** Metric time series (the cache's `metrics:{type}:{agent}`), read since a moment. */
export interface MetricsSource {
  read(since: Date): AsyncIterable<MetricSeries> | Promise<Iterable<MetricSeries>>;
}
