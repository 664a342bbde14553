// The character graph built from the graph rows (relation edges weighted by co-occurring passages,
// synonym edges by similarity, passage mentions) and passage scoring: pure code. The graph cache
// over PostgreSQL is in ../memory-graph.test.ts.
import { describe, expect, it } from 'vitest';
import {
  buildCharacterGraph,
  type MemoryGraphSnapshot,
  scorePassages,
  sortedPairs,
} from '../../src/memory/character-graph.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function snapshot(
  entities: number,
  triples: Array<[s: number, o: number, passage: number]>,
  synonyms: Array<[a: number, b: number, similarity: number]> = [],
): MemoryGraphSnapshot {
  return {
    version: 3,
    entityIds: Array.from({ length: entities }, (_, i) => id(i)),
    entityNames: Array.from({ length: entities }, (_, i) => `e${i}`),
    triples: {
      subject: triples.map((t) => id(t[0])),
      object: triples.map((t) => id(t[1])),
      passage: triples.map((t) => id(1000 + t[2])),
    },
    synonyms: {
      a: synonyms.map((s) => id(s[0])),
      b: synonyms.map((s) => id(s[1])),
      similarity: synonyms.map((s) => s[2]),
    },
  };
}

/** The graph's undirected edges as `lo-hi -> total weight`, read back from the CSR. */
function edgeWeights(graph: ReturnType<typeof buildCharacterGraph>): Map<string, number> {
  const out = new Map<string, number>();
  const g = graph.graph;
  for (let v = 0; v < g.nodeCount; v++)
    for (let e = g.inStart[v]!; e < g.inStart[v + 1]!; e++) {
      const u = g.inSource[e]!;
      if (u > v) continue; // each undirected edge once
      const key = `${u}-${v}`;
      out.set(key, (out.get(key) ?? 0) + g.inWeight[e]!);
    }
  return out;
}

describe('character graph', () => {
  it('weights relation edges by the distinct passages a pair co-occurs in, and adds synonym edges', () => {
    const graph = buildCharacterGraph(
      'sage',
      snapshot(
        5,
        [
          [0, 1, 0],
          [1, 0, 0], // same pair, same passage, other direction: still one co-occurrence
          [0, 1, 1], // same pair, another passage: two
          [1, 2, 1],
          [2, 2, 2], // a loop: no edge, but passage 2 mentions entity 2
          [3, 9, 3], // unknown entity: skipped
        ],
        [
          [3, 4, 0.85],
          [1, 2, 0.9], // parallel to a relation edge: weights add
        ],
      ),
    );
    expect(graph.relationEdges).toBe(2);
    expect(graph.synonymEdges).toBe(2);
    // Entity nodes 0-4, then passage nodes 5-7 (passages 1000, 1001, 1002 in order of first
    // mention), each with an edge of weight 1 to every entity it mentions.
    expect(edgeWeights(graph)).toEqual(
      new Map([
        ['0-1', 2],
        ['1-2', 1.9],
        ['3-4', 0.85],
        ['0-5', 1],
        ['1-5', 1],
        ['0-6', 1],
        ['1-6', 1],
        ['2-6', 1],
        ['2-7', 1],
      ]),
    );
    expect(graph.graph.nodeCount).toBe(8);
    // Out-weights: what PPR divides by.
    expect(Array.from(graph.graph.outWeight)).toEqual([4, 5.9, 3.9, 0.85, 0.85, 2, 3, 1]);
    const mentions = graph.passageIds.map((pid, p) => [
      pid,
      Array.from(graph.mentionEntity.subarray(graph.mentionStart[p]!, graph.mentionStart[p + 1]!)).sort(),
    ]);
    expect(mentions).toEqual([
      [id(1000), [0, 1]],
      [id(1001), [0, 1, 2]],
      [id(1002), [2]],
    ]);
    expect(Array.from(graph.entityPassages)).toEqual([2, 2, 2, 0, 0]);
    expect(graph.version).toBe(3);
  });

  it('sorts (pair, passage) rows the same on the numeric fast path and the exact comparator path', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const count = 5_000;
    const s = Int32Array.from({ length: count }, () => Math.floor(random() * 300));
    const o = Int32Array.from({ length: count }, () => Math.floor(random() * 300));
    const p = Int32Array.from({ length: count }, () => Math.floor(random() * 50));
    const fast = sortedPairs(300, 50, s, o, p, count);
    const exact = sortedPairs(300, 50, s, o, p, count, false);
    expect(fast).toEqual(exact);
    for (let i = 1; i < fast.lo.length; i++) {
      const before = [fast.lo[i - 1]!, fast.hi[i - 1]!, fast.passage[i - 1]!];
      const here = [fast.lo[i]!, fast.hi[i]!, fast.passage[i]!];
      expect(
        before[0]! < here[0]! ||
          (before[0] === here[0] &&
            (before[1]! < here[1]! || (before[1] === here[1] && before[2]! <= here[2]!))),
      ).toBe(true);
    }
  });

  it('ranks passages by the mass of their nodes, the same as a full sort, with stable ties', () => {
    const triples: Array<[number, number, number]> = [];
    for (let p = 0; p < 60; p++)
      triples.push([p % 20, (p * 7 + 3) % 20, p], [(p * 3) % 20, (p * 11 + 1) % 20, p]);
    const graph = buildCharacterGraph('sage', snapshot(20, triples));
    const nodes = graph.graph.nodeCount;
    expect(nodes).toBe(20 + 60);
    const scores = Float64Array.from({ length: nodes }, (_, i) => (i % 4 === 0 ? 0 : ((i * 37) % 11) / 100));
    const expected = graph.passageIds
      .map((pid, p) => ({ pid, score: scores[20 + p]! }))
      .filter((x) => x.score > 0)
      .sort((a, b) => b.score - a.score || (a.pid < b.pid ? -1 : 1));
    for (const k of [1, 5, 17, 500]) {
      const top = scorePassages(graph, scores, k);
      expect(top.map((t) => graph.passageIds[t.passage])).toEqual(expected.slice(0, k).map((x) => x.pid));
      for (const t of top) {
        expect(t.score).toBe(scores[20 + t.passage]);
        expect(t.entities.map((e) => e.mass)).toEqual(t.entities.map((e) => scores[e.node]));
        for (let i = 1; i < t.entities.length; i++)
          expect(t.entities[i - 1]!.mass).toBeGreaterThanOrEqual(t.entities[i]!.mass);
      }
    }
  });
});
