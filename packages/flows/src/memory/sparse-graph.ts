// A weighted graph in compressed sparse row form over typed arrays: the shape Personalized
// PageRank walks. Rows are the edges *arriving* at a node, so one PPR iteration is a pull (each
// node sums what its neighbours send): sequential reads, no write conflicts, no per-edge objects.
import { FlowError, FlowValidationError } from '../errors.js';

/** A weighted graph as incoming-edge CSR. Built by `buildSparseGraph`; read-only afterwards. */
export interface SparseGraph {
  readonly nodeCount: number;
  /** Entries stored (an undirected edge is stored twice, a self-loop once). */
  readonly entryCount: number;
  /** `inStart[v] .. inStart[v + 1]` are the entries of edges arriving at `v`. Length nodeCount + 1. */
  readonly inStart: Int32Array;
  /** The node each entry comes from. */
  readonly inSource: Int32Array;
  /** The weight of each entry. */
  readonly inWeight: Float64Array;
  /** Total weight leaving each node; 0 marks a dangling node (no way out). */
  readonly outWeight: Float64Array;
}

/** Edges as parallel columns: `from[i] -> to[i]` with `weight[i]` (> 0). */
export interface EdgeColumns {
  from: ArrayLike<number>;
  to: ArrayLike<number>;
  weight: ArrayLike<number>;
}

/**
 * Builds the CSR form of a weighted graph with nodes `0 .. nodeCount - 1`. Undirected by default
 * (each edge can be walked both ways, as HippoRAG's graph); parallel edges add up.
 * @example
 * const graph = buildSparseGraph(3, { from: [0, 1], to: [1, 2], weight: [1, 0.8] });
 */
export function buildSparseGraph(
  nodeCount: number,
  edges: EdgeColumns,
  options: { directed?: boolean } = {},
): SparseGraph {
  if (!Number.isInteger(nodeCount) || nodeCount < 0 || nodeCount > 0x7fffffff)
    throw new FlowValidationError('graph nodeCount', 'must be a non-negative whole number');
  const m = edges.from.length;
  if (edges.to.length !== m || edges.weight.length !== m)
    throw new FlowError('VALIDATION', 'graph edges: from, to and weight must have the same length');
  const directed = options.directed ?? false;
  const inCount = new Int32Array(nodeCount + 1);
  const outWeight = new Float64Array(nodeCount);
  let entries = 0;
  for (let i = 0; i < m; i++) {
    const u = edges.from[i]!;
    const v = edges.to[i]!;
    const w = edges.weight[i]!;
    if (!Number.isInteger(u) || u < 0 || u >= nodeCount)
      throw new FlowError('VALIDATION', `graph edges.from[${i}]: must be a node index below ${nodeCount}`);
    if (!Number.isInteger(v) || v < 0 || v >= nodeCount)
      throw new FlowError('VALIDATION', `graph edges.to[${i}]: must be a node index below ${nodeCount}`);
    if (!(w > 0) || !Number.isFinite(w))
      throw new FlowError('VALIDATION', `graph edges.weight[${i}]: must be a finite number above 0`);
    inCount[v + 1]!++;
    outWeight[u]! += w;
    entries++;
    if (!directed && u !== v) {
      inCount[u + 1]!++;
      outWeight[v]! += w;
      entries++;
    }
  }
  const inStart = inCount; // prefix sums in place
  for (let v = 0; v < nodeCount; v++) inStart[v + 1]! += inStart[v]!;
  const fill = inStart.slice(0, nodeCount);
  const inSource = new Int32Array(entries);
  const inWeight = new Float64Array(entries);
  for (let i = 0; i < m; i++) {
    const u = edges.from[i]!;
    const v = edges.to[i]!;
    const w = edges.weight[i]!;
    let at = fill[v]!++;
    inSource[at] = u;
    inWeight[at] = w;
    if (!directed && u !== v) {
      at = fill[u]!++;
      inSource[at] = v;
      inWeight[at] = w;
    }
  }
  return { nodeCount, entryCount: entries, inStart, inSource, inWeight, outWeight };
}
