import type { EngineTelemetry } from '@monsteros/qdrant-local';

/** Latency percentiles of recent calls (milliseconds). */
export interface LatencySummary {
  /** Calls since the instance was created. */
  count: number;
  /** Over the most recent `window` calls. */
  p50: number;
  p99: number;
  mean: number;
  window: number;
}

/** Points, status and aliases of one MonsterOS collection. */
export interface CollectionStats {
  name: string;
  /** The alias queries use. */
  alias: string;
  /** The physical collection the alias points to (null when missing). */
  collection: string | null;
  points: number;
  indexedVectors: number;
  /** Qdrant's status: green (ready), yellow (optimizing), grey (optimizations pending), red (failed). */
  status: string;
  optimizerStatus: string;
  segments: number;
}

/** What `stats()` returns. */
export interface VectorsStats {
  collections: CollectionStats[];
  /**
   * The embedded local engine's own figures when this instance opened it (null with a Qdrant
   * server): every collection's points, vectors per name, segments, payload index sizes, and the
   * log and snapshot sizes and last compaction of its directory.
   */
  local: EngineTelemetry | null;
  /** Per search profile (each Qdrant query) and per strategy (`strategy:<name>`, end to end). */
  latency: Record<string, LatencySummary>;
  embeddings: Array<{ provider: string; dims: number; hits: number; misses: number; size: number }>;
}

/** A bounded window of recent latencies per key. */
export class LatencyRecorder {
  private readonly windows = new Map<string, { samples: Float64Array; next: number; count: number }>();
  constructor(private readonly size: number) {}

  record(key: string, ms: number): void {
    let w = this.windows.get(key);
    if (!w) {
      w = { samples: new Float64Array(this.size), next: 0, count: 0 };
      this.windows.set(key, w);
    }
    w.samples[w.next] = ms;
    w.next = (w.next + 1) % this.size;
    w.count++;
  }

  summary(): Record<string, LatencySummary> {
    const out: Record<string, LatencySummary> = {};
    for (const [key, w] of this.windows) {
      const n = Math.min(w.count, this.size);
      const sorted = w.samples.slice(0, n).sort();
      const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!;
      let sum = 0;
      for (const v of sorted) sum += v;
      out[key] = { count: w.count, p50: at(0.5), p99: at(0.99), mean: sum / n, window: n };
    }
    return out;
  }
}
