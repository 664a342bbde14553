// The `memory_operations` rows of the HippoRAG memory: every ingest, retrieve and passage search
// writes one (operation, latency, a quality signal, details), so the analytics' memory efficiency
// reads what the memory really did. One function writes them all: the place to hook metrics.
import type { Relational } from '@monsteros/relational';
import type { JsonObject } from '@monsteros/schema';

/** The operation types the memory records (`memory_operations.operation_type`). */
export type MemoryOperationType = 'ingest' | 'hipporag_retrieve' | 'passage_search';

/** One operation of the memory, as recorded. */
export interface MemoryOperationEntry {
  operationType: MemoryOperationType;
  /** The character's name (stored as its id; `global` and unknown names as null). */
  character: string;
  latencyMs: number;
  /** 0–1, or null when the operation has no quality signal. */
  quality: number | null;
  metadata: JsonObject;
}

/**
 * Records one memory operation. Never fails the operation it describes: a failed write is handed
 * to `onError` (the analytics miss one row, the user's call goes on).
 * @example
 * await recordMemoryOperation(relational, { operationType: 'hipporag_retrieve', character: 'sage', latencyMs: 12.5, quality: 0.8, metadata: { mode: 'graph' } });
 */
export async function recordMemoryOperation(
  relational: Partial<Pick<Relational, 'operations'>>,
  entry: MemoryOperationEntry,
  onError?: (error: unknown) => void,
): Promise<void> {
  if (!relational.operations) return;
  try {
    await relational.operations.record({
      operationType: entry.operationType,
      character: entry.character,
      latencyMs: Math.max(0, entry.latencyMs),
      quality: entry.quality === null ? null : Math.min(1, Math.max(0, entry.quality)),
      metadata: entry.metadata,
    });
  } catch (error) {
    onError?.(error);
  }
}
