import type { EngineTelemetry } from '../engine/telemetry.js';
import { QDRANT_VERSION } from './routes.js';

/** Duration statistics of one endpoint and status, as Qdrant's telemetry keeps them. */
interface Durations {
  count: number;
  fail: number;
  total: number;
  min: number;
  max: number;
  last: number;
}

/**
 * Counts REST responses per endpoint template (`POST /collections/{name}/points/query`) and
 * status, with their durations: the `requests` part of /telemetry and the `rest_responses_*`
 * series of /metrics.
 */
export class RequestStats {
  private readonly byEndpoint = new Map<string, Map<number, Durations>>();
  readonly startedAt = new Date();

  record(method: string, endpoint: string, status: number, seconds: number): void {
    const key = `${method} ${endpoint}`;
    let statuses = this.byEndpoint.get(key);
    if (!statuses) {
      statuses = new Map();
      this.byEndpoint.set(key, statuses);
    }
    let d = statuses.get(status);
    if (!d) {
      d = { count: 0, fail: 0, total: 0, min: seconds, max: seconds, last: 0 };
      statuses.set(status, d);
    }
    d.count++;
    if (status >= 400) d.fail++;
    d.total += seconds;
    d.min = Math.min(d.min, seconds);
    d.max = Math.max(d.max, seconds);
    d.last = Date.now();
  }

  entries(): Array<{ method: string; endpoint: string; status: number; d: Durations }> {
    const out: Array<{ method: string; endpoint: string; status: number; d: Durations }> = [];
    for (const [key, statuses] of this.byEndpoint) {
      const [method, endpoint] = [key.slice(0, key.indexOf(' ')), key.slice(key.indexOf(' ') + 1)];
      for (const [status, d] of statuses) out.push({ method, endpoint, status, d });
    }
    return out.sort((a, b) =>
      a.endpoint < b.endpoint ? -1 : a.endpoint > b.endpoint ? 1 : a.status - b.status,
    );
  }
}

const micros = (s: number) => Math.round(s * 1e6);

/** GET /telemetry: Qdrant's TelemetryData shape (app, collections, requests), filled from the engine. */
export function telemetryData(engine: EngineTelemetry, stats: RequestStats | null): Record<string, unknown> {
  const responses: Record<string, Record<string, unknown>> = {};
  for (const { method, endpoint, status, d } of stats?.entries() ?? []) {
    const key = `${method} ${endpoint}`;
    responses[key] ??= {};
    responses[key][String(status)] = {
      count: d.count,
      fail_count: d.fail,
      avg_duration_micros: micros(d.total / d.count),
      min_duration_micros: micros(d.min),
      max_duration_micros: micros(d.max),
      total_duration_micros: micros(d.total),
      last_responded: new Date(d.last).toISOString(),
    };
  }
  return {
    id: 'monsteros-local',
    app: {
      name: 'qdrant',
      version: QDRANT_VERSION,
      startup: (stats?.startedAt ?? new Date()).toISOString(),
      local_mode: {
        wal_bytes: engine.walBytes,
        last_compaction:
          engine.lastCompactionAt === null ? null : new Date(engine.lastCompactionAt).toISOString(),
        compaction_error: engine.compactionError,
      },
    },
    collections: {
      number_of_collections: engine.collections.length,
      collections: engine.collections.map((c) => ({
        id: c.name,
        points: c.points,
        vectors: c.vectors,
        segments: c.segments,
        payload_indexes: c.payloadIndexes,
        aliases: c.aliases,
      })),
    },
    requests: { rest: { responses } },
  };
}

/** A Prometheus label value: backslash, quote and newline escaped. */
const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * GET /metrics: Prometheus text exposition with Qdrant's metric names where Qdrant has them
 * (`app_info`, `collections_total`, `collections_vector_total`, `rest_responses_*`) and
 * `collection_*` / `local_*` series for what the local engine reports per collection and of its log.
 */
export function metricsText(engine: EngineTelemetry, stats: RequestStats | null): string {
  const lines: string[] = [];
  const metric = (
    name: string,
    type: 'gauge' | 'counter',
    help: string,
    samples: Array<[string, number]>,
  ) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('app_info', 'gauge', 'information about qdrant server', [
    [`{name="qdrant",version="${QDRANT_VERSION}"}`, 1],
  ]);
  metric('collections_total', 'gauge', 'number of collections', [['', engine.collections.length]]);
  const vectors = engine.collections.reduce(
    (s, c) => s + Object.values(c.vectors).reduce((a, b) => a + b, 0),
    0,
  );
  metric('collections_vector_total', 'gauge', 'total number of vectors in all collections', [['', vectors]]);
  metric(
    'collection_points',
    'gauge',
    'approximate amount of points per collection',
    engine.collections.map((c) => [`{collection="${label(c.name)}"}`, c.points]),
  );
  metric(
    'collection_vectors',
    'gauge',
    'amount of vectors per collection and vector name',
    engine.collections.flatMap((c) =>
      Object.entries(c.vectors).map(([v, n]): [string, number] => [
        `{collection="${label(c.name)}",vector="${label(v)}"}`,
        n,
      ]),
    ),
  );
  metric(
    'collection_segments',
    'gauge',
    'amount of segments per collection',
    engine.collections.map((c) => [`{collection="${label(c.name)}"}`, c.segments]),
  );
  metric('local_wal_bytes', 'gauge', 'bytes in the local engine write-ahead log since the last snapshot', [
    ['', engine.walBytes],
  ]);
  metric(
    'local_last_compaction_timestamp_seconds',
    'gauge',
    'when the local engine last folded its log into a snapshot (0: never)',
    [['', engine.lastCompactionAt === null ? 0 : engine.lastCompactionAt / 1000]],
  );
  const entries = stats?.entries() ?? [];
  const labels = (e: (typeof entries)[number]) =>
    `{method="${e.method}",endpoint="${label(e.endpoint)}",status="${e.status}"}`;
  metric(
    'rest_responses_total',
    'counter',
    'total number of responses',
    entries.map((e) => [labels(e), e.d.count]),
  );
  metric(
    'rest_responses_fail_total',
    'counter',
    'total number of failed responses',
    entries.map((e) => [labels(e), e.d.fail]),
  );
  metric(
    'rest_responses_avg_duration_seconds',
    'gauge',
    'average response duration',
    entries.map((e) => [labels(e), e.d.total / e.d.count]),
  );
  metric(
    'rest_responses_min_duration_seconds',
    'gauge',
    'minimum response duration',
    entries.map((e) => [labels(e), e.d.min]),
  );
  metric(
    'rest_responses_max_duration_seconds',
    'gauge',
    'maximum response duration',
    entries.map((e) => [labels(e), e.d.max]),
  );
  return `${lines.join('\n')}\n`;
}
