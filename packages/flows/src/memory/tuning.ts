// The memory's tuning: the options with HippoRAG's defaults applied, checked once, and the part
// of every cached answer's key that says which tuning computed it.
import { check, TuningSchema } from './input.js';
import type { MemoryOptions } from './memory.js';

/** The options with their defaults applied (see `MemoryOptions` for each). */
export type MemoryTuning = ReturnType<typeof resolveTuning>;

export function resolveTuning(options: MemoryOptions) {
  const t = check(
    TuningSchema,
    {
      damping: options.damping,
      synonymThreshold: options.synonymThreshold,
      synonymNeighbors: options.synonymNeighbors,
      entityLinkThreshold: options.entityLinkThreshold,
      queryLinkThreshold: options.queryLinkThreshold,
      queryLinkTopK: options.queryLinkTopK,
      denseThreshold: options.denseThreshold,
      passageNodeWeight: options.passageNodeWeight,
      passageCandidates: options.passageCandidates,
      passageSearch: options.passageSearch,
      passageFusion: options.passageFusion,
      nodeSpecificity: options.nodeSpecificity,
      queryLinking: options.queryLinking,
      factTopK: options.factTopK,
      factSearch: options.factSearch,
      factAnchoring: options.factAnchoring,
      maxGraphs: options.maxGraphs,
      incrementalGraphs: options.incrementalGraphs,
      sideEffects: options.sideEffects,
    },
    'options',
  );
  return {
    damping: t.damping ?? 0.5,
    synonymThreshold: t.synonymThreshold ?? 0.8,
    synonymNeighbors: t.synonymNeighbors ?? 10,
    entityLinkThreshold: t.entityLinkThreshold ?? 0.5,
    queryLinkThreshold: t.queryLinkThreshold ?? 0.3,
    queryLinkTopK: t.queryLinkTopK ?? 3,
    denseThreshold: t.denseThreshold ?? 0.1,
    passageNodeWeight: t.passageNodeWeight ?? 0.05,
    passageCandidates: t.passageCandidates ?? 100,
    passageSearch: t.passageSearch ?? 'sparse',
    passageFusion: t.passageFusion ?? 'dbsf',
    nodeSpecificity: t.nodeSpecificity ?? true,
    queryLinking: t.queryLinking ?? 'facts',
    factTopK: t.factTopK ?? 5,
    factSearch: t.factSearch ?? 'sparse',
    factAnchoring: t.factAnchoring ?? 'named',
    maxGraphs: t.maxGraphs ?? 16,
    incrementalGraphs: t.incrementalGraphs ?? true,
    sideEffects: t.sideEffects ?? 'inline',
  };
}

/** Part of every cached answer's key: a change of tuning never serves answers computed under another. */
export function tuningKey(tuning: MemoryTuning): string {
  return JSON.stringify([
    tuning.damping,
    tuning.entityLinkThreshold,
    tuning.queryLinkThreshold,
    tuning.queryLinkTopK,
    tuning.denseThreshold,
    tuning.passageNodeWeight,
    tuning.passageCandidates,
    tuning.passageSearch,
    tuning.passageFusion,
    tuning.nodeSpecificity,
    tuning.queryLinking,
    tuning.factTopK,
    tuning.factSearch,
    tuning.factAnchoring,
  ]);
}
