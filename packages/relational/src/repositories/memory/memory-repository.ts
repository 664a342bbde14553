import type { Db } from '../../db.js';
import { memoryEntities } from './entities.js';
import { memoryGraphChangeLog } from './graph-changes.js';
import { memoryGraphLock } from './graph-lock.js';
import { memoryGraphSnapshots } from './graph-snapshot.js';
import { memoryGraphVersion } from './graph-version.js';
import { memoryPassages } from './passages.js';
import { memorySynonymEdges } from './synonym-edges.js';
import { memoryTriples } from './triples.js';

/**
 * The HippoRAG memory graph rows of each character context: passages, entities, triples and
 * synonym edges written in bulk and idempotently, the graph lock and version, and the columnar
 * snapshot and change log the PPR walk is built and patched from. Each concept is its own file
 * beside this one; this only puts them on one object.
 */
export function memoryRepository(db: Db) {
  return {
    ...memoryGraphLock(db),
    ...memoryPassages(db),
    ...memoryEntities(db),
    ...memoryTriples(db),
    ...memorySynonymEdges(db),
    ...memoryGraphVersion(db),
    ...memoryGraphSnapshots(db),
    ...memoryGraphChangeLog(db),
  };
}
export type MemoryRepository = ReturnType<typeof memoryRepository>;
