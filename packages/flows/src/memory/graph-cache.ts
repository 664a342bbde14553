// Built character graphs kept in process, keyed by the graph version PostgreSQL keeps (bumped by
// triggers on every change). A retrieval costs one indexed read of the version; the graph is
// reloaded only when that moved. Concurrent misses of one character share one load.
import type { Relational } from '@monsteros/relational';
import { buildCharacterGraph, type CharacterGraph, type MemoryGraphSnapshot } from './character-graph.js';

/** Where graphs come from: the version (0 when the character has no memory) and a snapshot. */
export interface GraphSource {
  version(character: string): Promise<number>;
  snapshot(character: string): Promise<MemoryGraphSnapshot>;
}

/** The graph source over `@monsteros/relational`: the snapshot is read in one repeatable-read transaction. */
export function relationalGraphSource(relational: Pick<Relational, 'memory' | 'transaction'>): GraphSource {
  return {
    version: async (character) => (await relational.memory.graphVersion(character))?.version ?? 0,
    snapshot: (character) =>
      relational.transaction((tx) => tx.memory.loadGraphSnapshot(character), {
        isolation: 'repeatable read',
      }),
  };
}

/** Counters of the graph cache. */
export interface GraphCacheStats {
  /** Characters whose graph is held. */
  entries: number;
  hits: number;
  /** Graphs built (first use or a version change). */
  loads: number;
  /** Milliseconds the last load took (snapshot + build). */
  lastLoadMs: number;
}

export interface GraphCache {
  /** The character's graph at its current version, or null when it has no memory. */
  get(character: string): Promise<CharacterGraph | null>;
  /** Drops one character's graph (or all): the next `get` rebuilds it. */
  invalidate(character?: string): void;
  stats(): GraphCacheStats;
}

/**
 * Creates the in-process graph cache, holding at most `maxCharacters` graphs (least recently
 * used dropped first).
 * @example
 * const graphs = createGraphCache(relationalGraphSource(relational));
 * const graph = await graphs.get('sage');
 */
export function createGraphCache(source: GraphSource, options: { maxCharacters?: number } = {}): GraphCache {
  const maxCharacters = options.maxCharacters ?? 16;
  const held = new Map<string, CharacterGraph>();
  const loading = new Map<string, { version: number; promise: Promise<CharacterGraph> }>();
  const counters = { hits: 0, loads: 0, lastLoadMs: 0 };

  async function load(character: string): Promise<CharacterGraph> {
    const started = performance.now();
    const snapshot = await source.snapshot(character);
    const graph = buildCharacterGraph(character, snapshot);
    counters.loads++;
    counters.lastLoadMs = performance.now() - started;
    // Keep the newest: a slow load must not replace a graph of a later version.
    const current = held.get(character);
    if (!current || current.version <= graph.version) {
      held.delete(character);
      held.set(character, graph);
      while (held.size > maxCharacters) held.delete(held.keys().next().value!);
    }
    return graph;
  }

  return {
    async get(character) {
      const version = await source.version(character);
      if (version === 0) return null;
      const cached = held.get(character);
      if (cached && cached.version >= version) {
        counters.hits++;
        held.delete(character);
        held.set(character, cached);
        return cached;
      }
      const inFlight = loading.get(character);
      if (inFlight && inFlight.version >= version) return inFlight.promise;
      const promise = load(character).finally(() => {
        if (loading.get(character)?.promise === promise) loading.delete(character);
      });
      loading.set(character, { version, promise });
      return promise;
    },
    invalidate(character) {
      if (character === undefined) held.clear();
      else held.delete(character);
    },
    stats: () => ({ entries: held.size, ...counters }),
  };
}
