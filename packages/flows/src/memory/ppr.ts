// Personalized PageRank by power iteration over the CSR graph. Conventions (HippoRAG's):
// - `damping` is the probability of following an edge; with 1 - damping the walk restarts at the
//   personalization (the query's nodes). HippoRAG uses 0.5: recall stays near the query.
// - From node u the walk takes edge (u, v) with probability w(u, v) / Σ w(u, ·).
// - A dangling node (no edge out) restarts the walk at the personalization, so its mass stays
//   with the query instead of leaking uniformly over the whole graph.
// The scores are a probability distribution (they sum to 1).
import { FlowValidationError } from '../errors.js';
import type { SparseGraph } from './sparse-graph.js';

/** Options of `personalizedPageRank`. */
export interface PprOptions {
  /** Probability of following an edge rather than restarting. Default 0.5 (HippoRAG). */
  damping?: number;
  /** Stop when the L1 change of one iteration is below this. Default 1e-10. */
  tolerance?: number;
  /** Upper bound on iterations. Default 100 (at damping 0.5 the change halves every iteration). */
  maxIterations?: number;
}

/** Scores and how the iteration ended. */
export interface PprResult {
  /** One score per node, summing to 1. */
  scores: Float64Array;
  iterations: number;
  converged: boolean;
  /** L1 change of the last iteration. */
  residual: number;
}

/** Personalization: a dense weight per node, or sparse `node -> weight` (weights ≥ 0, not all 0). */
export type Personalization = ArrayLike<number> | ReadonlyMap<number, number>;

function restartVector(nodeCount: number, personalization: Personalization): Float64Array {
  const p = new Float64Array(nodeCount);
  let total = 0;
  const put = (node: number, weight: number, field: string) => {
    if (!Number.isInteger(node) || node < 0 || node >= nodeCount)
      throw new FlowValidationError(field, `must be a node index below ${nodeCount}`);
    if (!(weight >= 0) || !Number.isFinite(weight))
      throw new FlowValidationError(field, 'weight must be a finite number ≥ 0');
    p[node]! += weight;
    total += weight;
  };
  if (personalization instanceof Map) {
    for (const [node, weight] of personalization) put(node, weight, `personalization[${node}]`);
  } else {
    const dense = personalization as ArrayLike<number>;
    if (dense.length !== nodeCount)
      throw new FlowValidationError('personalization', `must have one weight per node (${nodeCount})`);
    for (let i = 0; i < nodeCount; i++) if (dense[i] !== 0) put(i, dense[i]!, `personalization[${i}]`);
  }
  if (total === 0) throw new FlowValidationError('personalization', 'must give some node a weight above 0');
  for (let i = 0; i < nodeCount; i++) p[i]! /= total;
  return p;
}

/**
 * Ranks every node of `graph` by a random walk that restarts at the personalization: nodes near
 * the query's nodes, through strong edges, score high (multi-hop recall).
 * @example
 * const { scores } = personalizedPageRank(graph, new Map([[aliceIndex, 1]]));
 */
export function personalizedPageRank(
  graph: SparseGraph,
  personalization: Personalization,
  options: PprOptions = {},
): PprResult {
  const damping = options.damping ?? 0.5;
  const tolerance = options.tolerance ?? 1e-10;
  const maxIterations = options.maxIterations ?? 100;
  if (!(damping >= 0 && damping < 1))
    throw new FlowValidationError('ppr damping', 'must be at least 0 and below 1');
  if (!(tolerance > 0)) throw new FlowValidationError('ppr tolerance', 'must be above 0');
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    throw new FlowValidationError('ppr maxIterations', 'must be a whole number ≥ 1');
  const n = graph.nodeCount;
  const p = restartVector(n, personalization);
  const { inStart, inSource, inWeight, outWeight } = graph;
  let rank = Float64Array.from(p);
  let next = new Float64Array(n);
  // What each node sends along one unit of edge weight: rank / out-weight (0 when dangling).
  const share = new Float64Array(n);
  let residual = Number.POSITIVE_INFINITY;
  let iterations = 0;
  while (iterations < maxIterations) {
    iterations++;
    let dangling = 0;
    for (let u = 0; u < n; u++) {
      const out = outWeight[u]!;
      if (out > 0) share[u] = rank[u]! / out;
      else {
        share[u] = 0;
        dangling += rank[u]!;
      }
    }
    const restart = 1 - damping + damping * dangling;
    residual = 0;
    for (let v = 0; v < n; v++) {
      let sum = 0;
      const end = inStart[v + 1]!;
      for (let e = inStart[v]!; e < end; e++) sum += inWeight[e]! * share[inSource[e]!]!;
      const value = damping * sum + restart * p[v]!;
      next[v] = value;
      residual += Math.abs(value - rank[v]!);
    }
    [rank, next] = [next, rank];
    if (residual < tolerance) break;
  }
  return { scores: rank, iterations, converged: residual < tolerance, residual };
}
