import type { Collection } from './collection.js';

/** One collection as the engine reports it to /telemetry and /metrics. */
export interface CollectionTelemetry {
  name: string;
  points: number;
  /** Stored vectors per vector name (dense and sparse). */
  vectors: Record<string, number>;
  /** The local engine keeps one in-memory segment per collection. */
  segments: number;
  payloadIndexes: number;
  /**
   * Each payload index by field: its type, the points carrying the field, and for the equality
   * (inverted) indexes their distinct values and (point, value) entries.
   */
  payloadIndexSizes: Record<string, { dataType: string; points: number; values: number; entries: number }>;
  aliases: string[];
}

/** What the engine reports of itself: collections, and the log and snapshot of a data directory. */
export interface EngineTelemetry {
  collections: CollectionTelemetry[];
  /** Bytes in the write-ahead log since the last snapshot (0 in memory). */
  walBytes: number;
  /** Bytes of the snapshot file (0 in memory or before the first snapshot). */
  snapshotBytes: number;
  /** When the log was last folded into a snapshot (ms since epoch), or null. */
  lastCompactionAt: number | null;
  /** The message of the last failed automatic compaction, or null. */
  compactionError: string | null;
}

/** Counts one collection's points, vectors per name, indexes and aliases. */
export function collectionTelemetry(
  col: Collection,
  aliases: ReadonlyMap<string, string>,
): CollectionTelemetry {
  // Dense stores and sparse indexes keep their counts; multivectors are counted in one pass over
  // the points (telemetry is read every few seconds by monitors).
  const vectors: Record<string, number> = {};
  for (const [name, store] of col.dense) vectors[name] = store.count;
  const multi = [...col.multi];
  const counts = new Array<number>(multi.length).fill(0);
  if (multi.length > 0)
    for (const slot of col.slotOf.values())
      for (let i = 0; i < multi.length; i++) if (multi[i]![1].present[slot] === 1) counts[i]!++;
  for (const [i, [name]] of multi.entries()) vectors[name] = counts[i]!;
  for (const name of col.sparseNames) vectors[name] = col.sparseIndexes.get(name)?.count ?? 0;
  return {
    name: col.name,
    points: col.count,
    vectors,
    segments: 1,
    payloadIndexes: col.indexes.size,
    payloadIndexSizes: col.payloadIndexSizes(),
    aliases: [...aliases].filter(([, c]) => c === col.name).map(([a]) => a),
  };
}
