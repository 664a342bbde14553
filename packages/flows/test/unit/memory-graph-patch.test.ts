// Incremental graph updates on hand-built snapshots: pure code. Patches against graphs built from
// PostgreSQL rows are in ../memory-graph-patch.test.ts.
import { describe, expect, it } from 'vitest';
import { buildCharacterGraph, type CharacterGraph } from '../../src/memory/character-graph.js';
import { patchCharacterGraph } from '../../src/memory/graph-patch.js';

describe('incremental graph updates', () => {
  it('finds the same names after many patches whose dictionaries nobody asked for', () => {
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const names = ['Ada Lovelace', 'Alan Turing', 'Grace Hopper'];
    const snapshot = (count: number) => ({
      version: count,
      entityIds: Array.from({ length: count }, (_, i) => id(i)),
      entityNames: Array.from({ length: count }, (_, i) => `${names[i % 3]} ${i}`),
      triples: { subject: [], object: [], passage: [] },
      synonyms: { a: [], b: [], similarity: [] },
    });
    let graph = buildCharacterGraph('sage', snapshot(3));
    const none = { subject: [], object: [], passage: [] };
    for (let v = 3; v < 80; v++)
      graph = patchCharacterGraph(graph, {
        since: v,
        version: v + 1,
        entities: { ids: [id(v)], names: [`${names[v % 3]} ${v}`] },
        triples: none,
        pairTriples: { ...none, added: [] },
        synonyms: { a: [], b: [], similarity: [] },
      })!;
    const full = buildCharacterGraph('sage', snapshot(80));
    const query = 'Did Ada Lovelace 75 meet Alan Turing 4 or Grace Hopper 50?';
    const found = (g: CharacterGraph) =>
      g
        .dictionary()
        .find(query)
        .map((m) => [m.name, m.values.map((node) => g.entityIds[node])]);
    expect(found(graph)).toEqual(found(full));
    expect(found(graph)).toHaveLength(3);
  });
});
