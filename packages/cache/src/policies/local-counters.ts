// The counters one process keeps per namespace (Redis keeps the shared ones in `~stats`); every
// module of a policy adds to the same object, which `cache.stats()` copies out.

/** Counters of this process (Redis keeps the shared ones). */
export interface LocalPolicyCounters {
  /** Loader calls. */
  loads: number;
  /** Stale values served while a refresh ran. */
  staleServed: number;
  /** Writes not made because Redis was unavailable. */
  skippedWrites: number;
  /** Redis errors turned into misses. */
  redisErrors: number;
  /** Values that were not ours to decode, deleted. */
  corrupt: number;
  /** getOrSet calls that waited for another process's loader. */
  leaseWaits: number;
  /** Hits served by the near cache (no round trip). */
  nearHits: number;
}

/** A fresh set of counters, all zero. */
export function newLocalCounters(): LocalPolicyCounters {
  return {
    loads: 0,
    staleServed: 0,
    skippedWrites: 0,
    redisErrors: 0,
    corrupt: 0,
    leaseWaits: 0,
    nearHits: 0,
  };
}
