// Built character graphs kept in process, keyed by the graph version PostgreSQL keeps (bumped by
// triggers on every change). A retrieval costs one indexed read of the version; the graph is
// reloaded only when that moved: patched with what was inserted since its version when the change
// log covers it (`graph-patch.ts`), built whole from a snapshot otherwise. Concurrent misses of one
// character share one load.
import type { MemoryGraphChanges, MemoryGraphChangesRefusal, Relational } from '@monsteros/relational';
import { buildCharacterGraph, type CharacterGraph, type MemoryGraphSnapshot } from './character-graph.js';
import { patchCharacterGraph } from './graph-patch.js';

/** What brings a held graph up to date: the changes since its version, or a whole snapshot. */
type GraphUpdate =
  | { changes: MemoryGraphChanges }
  | { snapshot: MemoryGraphSnapshot; refused: MemoryGraphChangesRefusal };

/** Where graphs come from: the version (0 when the character has no memory) and a snapshot. */
export interface GraphSource {
  version(character: string): Promise<number>;
  snapshot(character: string): Promise<MemoryGraphSnapshot>;
  /**
   * The changes since `graph`'s version, or (when they cannot patch it) a snapshot read in the
   * same transaction. Optional: without it every new version is loaded whole.
   */
  update?(graph: CharacterGraph): Promise<GraphUpdate>;
}

/**
 * The graph source over `@monsteros/relational`: the snapshot, or the changes, read in one
 * repeatable-read transaction. Changes of more than `patchShare` × the graph's edge entries (at
 * least 10,000 rows) are not worth a patch: the graph is loaded whole. Default 0.25.
 */
export function relationalGraphSource(
  relational: Pick<Relational, 'memory' | 'transaction'>,
  options: { patchShare?: number } = {},
): GraphSource {
  const patchShare = options.patchShare ?? 0.25;
  const snapshot = (character: string) =>
    relational.transaction((tx) => tx.memory.loadGraphSnapshot(character), { isolation: 'repeatable read' });
  return {
    version: async (character) => (await relational.memory.graphVersion(character))?.version ?? 0,
    snapshot,
    update: (graph) => {
      const anchor = graph.entityIds[0];
      if (anchor === undefined)
        return snapshot(graph.character).then((s) => ({ snapshot: s, refused: 'history' as const }));
      return relational.transaction(
        async (tx): Promise<GraphUpdate> => {
          const delta = await tx.memory.loadGraphChanges(graph.character, graph.version, anchor, {
            maxRows: Math.max(10_000, Math.floor(graph.graph.entryCount * patchShare)),
          });
          if ('changes' in delta) return delta;
          return { snapshot: await tx.memory.loadGraphSnapshot(graph.character), refused: delta.refused };
        },
        { isolation: 'repeatable read' },
      );
    },
  };
}

/** Counters of the graph cache. */
export interface GraphCacheStats {
  /** Characters whose graph is held. */
  entries: number;
  hits: number;
  /** Graphs built (first use or a version change), whole or patched. */
  loads: number;
  /** Of `loads`, the graphs patched with the changes since the held version. */
  patches: number;
  /** Milliseconds the last load took (snapshot + build, or changes + patch). */
  lastLoadMs: number;
  /** How the last load went: `patch`, `full` (nothing held), or why the held graph could not be patched. */
  lastLoad: 'patch' | 'full' | MemoryGraphChangesRefusal | 'mismatch' | null;
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
  const counters: Omit<GraphCacheStats, 'entries'> = {
    hits: 0,
    loads: 0,
    patches: 0,
    lastLoadMs: 0,
    lastLoad: null,
  };

  /** The graph at the current version: the held one patched when possible, else built whole. */
  async function build(character: string, held: CharacterGraph | undefined) {
    if (!held || !source.update)
      return {
        graph: buildCharacterGraph(character, await source.snapshot(character)),
        how: 'full' as const,
      };
    const update = await source.update(held);
    if ('snapshot' in update)
      return { graph: buildCharacterGraph(character, update.snapshot), how: update.refused };
    const patched = patchCharacterGraph(held, update.changes);
    if (patched) return { graph: patched, how: 'patch' as const };
    // The changes do not fit the held graph (it is not the graph of its version): load it whole.
    return {
      graph: buildCharacterGraph(character, await source.snapshot(character)),
      how: 'mismatch' as const,
    };
  }

  async function load(character: string): Promise<CharacterGraph> {
    const started = performance.now();
    const { graph, how } = await build(character, held.get(character));
    counters.loads++;
    if (how === 'patch') counters.patches++;
    counters.lastLoad = how;
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
