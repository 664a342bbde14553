// Personalized PageRank on the CSR graph against an independent reference written here: the
// dense Google matrix of the same walk, iterated to a fixed point, and (for one case) the exact
// solution of the linear system. Hand-built graphs: paths, weights, parallel edges, self-loops,
// dangling and isolated nodes, directed edges, and a random graph.

import { seededRandom as rng } from '@monsteros/schema/testing';
import { describe, expect, it } from 'vitest';
import { FlowError } from '../../src/errors.js';
import { personalizedPageRank } from '../../src/memory/ppr.js';
import { buildSparseGraph } from '../../src/memory/sparse-graph.js';

type Edge = [from: number, to: number, weight: number];

/** Row-stochastic transition matrix of the walk; a row without edges restarts at `p`. */
function denseTransition(n: number, edges: Edge[], directed: boolean, p: number[]): number[][] {
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const [u, v, w] of edges) {
    a[u]![v]! += w;
    if (!directed && u !== v) a[v]![u]! += w;
  }
  return a.map((row) => {
    const sum = row.reduce((s, x) => s + x, 0);
    return sum === 0 ? [...p] : row.map((x) => x / sum);
  });
}

function normalized(weights: number[]): number[] {
  const total = weights.reduce((s, x) => s + x, 0);
  return weights.map((x) => x / total);
}

/** r ← (1 - d)·p + d·Tᵀ·r, from the uniform vector, until it stops moving. */
function referencePowerIteration(
  n: number,
  edges: Edge[],
  weights: number[],
  damping: number,
  directed = false,
) {
  const p = normalized(weights);
  const t = denseTransition(n, edges, directed, p);
  let r = new Array<number>(n).fill(1 / n);
  for (let iter = 0; iter < 10_000; iter++) {
    const next = p.map((pv) => (1 - damping) * pv);
    for (let u = 0; u < n; u++) for (let v = 0; v < n; v++) next[v]! += damping * t[u]![v]! * r[u]!;
    const change = next.reduce((s, x, i) => s + Math.abs(x - r[i]!), 0);
    r = next;
    if (change < 1e-15) break;
  }
  return r;
}

/** Solves (I - d·Tᵀ)·r = (1 - d)·p by Gaussian elimination with partial pivoting. */
function referenceLinearSolve(n: number, edges: Edge[], weights: number[], damping: number) {
  const p = normalized(weights);
  const t = denseTransition(n, edges, false, p);
  const m = Array.from({ length: n }, (_, v) => [
    ...Array.from({ length: n }, (_, u) => (u === v ? 1 : 0) - damping * t[u]![v]!),
    (1 - damping) * p[v]!,
  ]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++)
      if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let row = 0; row < n; row++) {
      if (row === col) continue;
      const f = m[row]![col]! / m[col]![col]!;
      for (let k = col; k <= n; k++) m[row]![k]! -= f * m[col]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

function ours(n: number, edges: Edge[], weights: number[], damping?: number, directed = false) {
  const graph = buildSparseGraph(
    n,
    { from: edges.map((e) => e[0]), to: edges.map((e) => e[1]), weight: edges.map((e) => e[2]) },
    { directed },
  );
  return personalizedPageRank(graph, weights, damping === undefined ? {} : { damping });
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-6) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs(actual[i]! - expected[i]!) > tolerance)
      throw new Error(`node ${i}: got ${actual[i]}, expected ${expected[i]} (±${tolerance})`);
  }
}

describe('personalized PageRank', () => {
  it('matches the reference on a path personalized at one end (damping 0.5 by default)', () => {
    const edges: Edge[] = [
      [0, 1, 1],
      [1, 2, 1],
      [2, 3, 1],
    ];
    const result = ours(4, edges, [1, 0, 0, 0]);
    expect(result.converged).toBe(true);
    expectClose(result.scores, referencePowerIteration(4, edges, [1, 0, 0, 0], 0.5));
    expectClose(result.scores, referenceLinearSolve(4, edges, [1, 0, 0, 0], 0.5));
    // Mass falls with distance from the query.
    expect(result.scores[0]!).toBeGreaterThan(result.scores[1]!);
    expect(result.scores[1]!).toBeGreaterThan(result.scores[2]!);
    expect(result.scores[2]!).toBeGreaterThan(result.scores[3]!);
  });

  it('matches the reference on a weighted graph with parallel edges, a self-loop and several seeds', () => {
    const edges: Edge[] = [
      [0, 1, 2],
      [1, 0, 1], // parallel to the first (undirected): adds up to 3
      [1, 2, 0.5],
      [2, 2, 1.5], // self-loop
      [2, 3, 1],
      [3, 4, 4],
      [4, 0, 0.25],
    ];
    const weights = [0.2, 0, 0.5, 0, 0.3];
    for (const damping of [0.5, 0.85, 0.15]) {
      const result = ours(5, edges, weights, damping);
      expectClose(result.scores, referencePowerIteration(5, edges, weights, damping));
      expectClose(result.scores, referenceLinearSolve(5, edges, weights, damping));
    }
  });

  it('sends the mass of dangling nodes back to the personalization (directed graph)', () => {
    // 3 and 4 have no way out; 5 is unreachable.
    const edges: Edge[] = [
      [0, 1, 1],
      [0, 2, 3],
      [1, 3, 1],
      [2, 4, 2],
      [2, 0, 1],
      [5, 0, 1],
    ];
    const weights = [1, 0, 0, 0, 0, 0];
    const result = ours(6, edges, weights, 0.5, true);
    expectClose(result.scores, referencePowerIteration(6, edges, weights, 0.5, true));
    expect(result.scores[5]).toBe(0);
    expect(result.scores.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
  });

  it('keeps all the mass on an isolated query node, and none reaches another component', () => {
    const edges: Edge[] = [
      [0, 1, 1],
      [1, 2, 1],
      [3, 4, 1],
    ];
    const isolated = ours(6, edges, [0, 0, 0, 0, 0, 1]);
    expectClose(isolated.scores, [0, 0, 0, 0, 0, 1]);
    const multiHop = ours(6, edges, [1, 0, 0, 0, 0, 0]);
    expectClose(multiHop.scores, referencePowerIteration(6, edges, [1, 0, 0, 0, 0, 0], 0.5));
    // Two hops away is reached; the unrelated component is not.
    expect(multiHop.scores[2]!).toBeGreaterThan(0.01);
    expect(multiHop.scores[3]).toBe(0);
  });

  it('matches the reference on a random weighted graph of 40 nodes, with sparse and dense personalization', () => {
    const random = rng(42);
    const n = 40;
    const edges: Edge[] = [];
    for (let i = 0; i < 120; i++) {
      edges.push([Math.floor(random() * n), Math.floor(random() * n), 0.05 + random() * 3]);
    }
    const dense = Array.from({ length: n }, () => (random() < 0.2 ? random() : 0));
    dense[7] = 1;
    for (const damping of [0.5, 0.85]) {
      const result = ours(n, edges, dense, damping);
      expectClose(result.scores, referencePowerIteration(n, edges, dense, damping));
    }
    const graph = buildSparseGraph(n, {
      from: edges.map((e) => e[0]),
      to: edges.map((e) => e[1]),
      weight: edges.map((e) => e[2]),
    });
    const sparse = personalizedPageRank(
      graph,
      new Map([
        [3, 2],
        [11, 1],
      ]),
    );
    const denseEquivalent = new Array<number>(n).fill(0);
    denseEquivalent[3] = 2;
    denseEquivalent[11] = 1;
    expectClose(sparse.scores, referencePowerIteration(n, edges, denseEquivalent, 0.5));
  });

  it('reports an iteration cut short as not converged', () => {
    const edges: Edge[] = [
      [0, 1, 1],
      [1, 2, 1],
    ];
    const graph = buildSparseGraph(3, { from: [0, 1], to: [1, 2], weight: [1, 1] });
    const short = personalizedPageRank(graph, [1, 0, 0], { maxIterations: 2 });
    expect(short).toMatchObject({ iterations: 2, converged: false });
    const full = personalizedPageRank(graph, [1, 0, 0], { tolerance: 1e-12 });
    expect(full.converged).toBe(true);
    expect(full.residual).toBeLessThan(1e-12);
    expectClose(full.scores, referencePowerIteration(3, edges, [1, 0, 0], 0.5), 1e-9);
  });

  it('rejects bad damping, personalization and edges with a typed error naming the field', () => {
    const graph = buildSparseGraph(2, { from: [0], to: [1], weight: [1] });
    const cases: Array<[() => unknown, string]> = [
      [() => personalizedPageRank(graph, [1, 0], { damping: 1 }), 'ppr damping'],
      [() => personalizedPageRank(graph, [0, 0]), 'personalization'],
      [() => personalizedPageRank(graph, [1]), 'personalization'],
      [() => personalizedPageRank(graph, new Map([[2, 1]])), 'personalization[2]'],
      [() => personalizedPageRank(graph, [1, -1]), 'personalization[1]'],
      [() => buildSparseGraph(2, { from: [0], to: [2], weight: [1] }), 'graph edges.to[0]'],
      [() => buildSparseGraph(2, { from: [0], to: [1], weight: [0] }), 'graph edges.weight[0]'],
      [() => buildSparseGraph(2, { from: [0, 1], to: [1], weight: [1] }), 'graph edges'],
    ];
    for (const [run, field] of cases) {
      let error: unknown;
      try {
        run();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(FlowError);
      expect((error as FlowError).code).toBe('VALIDATION');
      expect((error as FlowError).message.startsWith(field)).toBe(true);
    }
  });
});
