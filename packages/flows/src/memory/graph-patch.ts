// A character graph moved to a later version by what was inserted since (`loadGraphChanges`),
// instead of being built again from a whole snapshot. The result walks as the graph a full build
// of the later version gives (the same nodes, edges and weights; node numbers differ: new entities
// and passages are appended rather than sorted in), checked against full builds by the tests.
// Cost: one pass over the CSR entries (copied with the passage nodes shifted past the new
// entities) and the identifier maps, against the snapshot, sorts and CSR build of a full load.
import type { MemoryGraphChanges } from '@monsteros/relational';
import type { CharacterGraph } from './character-graph.js';
import type { SparseGraph } from './sparse-graph.js';

/** Connections added or strengthened, as parallel growable columns (undirected: x–y both ways). */
class Additions {
  x: number[] = [];
  y: number[] = [];
  w: number[] = [];
  add(x: number, y: number, w: number) {
    this.x.push(x);
    this.y.push(y);
    this.w.push(w);
  }
}

/**
 * The graph of `changes.version`, from `graph` (of version `changes.since`) and the rows inserted
 * in between; null when the changes do not fit the graph (an entity already in it, a row naming an
 * entity neither in it nor inserted): the caller then builds the graph whole. `graph` is not
 * modified (retrievals may still be walking it).
 * @example
 * const next = patchCharacterGraph(graph, changes) ?? buildCharacterGraph(character, snapshot);
 */
export function patchCharacterGraph(
  graph: CharacterGraph,
  changes: MemoryGraphChanges,
): CharacterGraph | null {
  if (changes.since !== graph.version || changes.version < graph.version) return null;
  const { entities, triples, pairTriples, synonyms } = changes;
  if (entities.ids.length === 0 && triples.subject.length === 0 && synonyms.a.length === 0)
    return { ...graph, version: changes.version };

  // Entities: appended after the old ones.
  const n = graph.entityIds.length;
  const k = entities.ids.length;
  const indexOf = new Map(graph.indexOf);
  for (let i = 0; i < k; i++) {
    if (indexOf.has(entities.ids[i]!)) return null;
    indexOf.set(entities.ids[i]!, n + i);
  }
  const n2 = n + k;
  const entityIds = graph.entityIds.concat(entities.ids);
  const entityNames = graph.entityNames.concat(entities.names);

  // Passages: the old ones keep their index, new ones (first named by a new triple) are appended.
  const oldPassages = graph.passageIds.length;
  let passageIds = graph.passageIds;
  let passageIndex = graph.passageIndex;
  const passageOf = (id: string): number => {
    const p = passageIndex.get(id);
    if (p !== undefined) return p;
    if (passageIds === graph.passageIds) {
      passageIds = graph.passageIds.slice();
      passageIndex = new Map(graph.passageIndex);
    }
    passageIndex.set(id, passageIds.length);
    passageIds.push(id);
    return passageIds.length - 1;
  };

  // Passage -> entities it newly mentions.
  const mentioned = new Map<number, Set<number>>();
  const t = triples.subject.length;
  for (let i = 0; i < t; i++) {
    const s = indexOf.get(triples.subject[i]!);
    const o = indexOf.get(triples.object[i]!);
    if (s === undefined || o === undefined) return null;
    const p = passageOf(triples.passage[i]!);
    const set = mentioned.get(p) ?? new Set<number>();
    mentioned.set(p, set.add(s).add(o));
  }
  const passageCount = passageIds.length;
  const entityPassages = new Int32Array(n2);
  entityPassages.set(graph.entityPassages);
  // New mention lists (sorted by entity, as a full build gives them).
  const newMentions = new Map<number, number[]>();
  for (const [p, set] of mentioned) {
    const before =
      p < oldPassages ? graph.mentionEntity.subarray(graph.mentionStart[p]!, graph.mentionStart[p + 1]!) : [];
    const had = new Set(before);
    const added = [...set].filter((e) => !had.has(e));
    if (added.length === 0) continue;
    for (const e of added) entityPassages[e]!++;
    newMentions.set(
      p,
      [...before, ...added].sort((a, b) => a - b),
    );
  }

  // Relation edges: each pair's weight is the number of distinct passages it co-occurs in.
  const strengthen = new Additions(); // existing relation pairs: weight added to their entries
  const connect = new Additions(); // new entries: new relation pairs, synonyms, passage mentions
  let relationEdges = graph.relationEdges;
  const pairs = new Map<string, { x: number; y: number; before: Set<string>; after: Set<string> }>();
  for (let i = 0; i < pairTriples.subject.length; i++) {
    const s = indexOf.get(pairTriples.subject[i]!);
    const o = indexOf.get(pairTriples.object[i]!);
    if (s === undefined || o === undefined) return null;
    if (s === o) continue;
    const [x, y] = s < o ? [s, o] : [o, s];
    const key = `${x} ${y}`;
    const pair = pairs.get(key) ?? { x, y, before: new Set<string>(), after: new Set<string>() };
    pairs.set(key, pair);
    pair.after.add(pairTriples.passage[i]!);
    if (!pairTriples.added[i]) pair.before.add(pairTriples.passage[i]!);
  }
  for (const { x, y, before, after } of pairs.values()) {
    const gained = after.size - before.size;
    if (gained <= 0) continue;
    if (before.size === 0) {
      relationEdges++;
      connect.add(x, y, gained);
    } else strengthen.add(x, y, gained);
  }
  let synonymEdges = graph.synonymEdges;
  for (let i = 0; i < synonyms.a.length; i++) {
    const a = indexOf.get(synonyms.a[i]!);
    const b = indexOf.get(synonyms.b[i]!);
    const w = synonyms.similarity[i]!;
    if (a === undefined || b === undefined) return null;
    if (a === b || !(w > 0)) continue;
    synonymEdges++;
    connect.add(a, b, w);
  }
  for (const [p, list] of newMentions) {
    const had = new Set(
      p < oldPassages ? graph.mentionEntity.subarray(graph.mentionStart[p]!, graph.mentionStart[p + 1]!) : [],
    );
    for (const e of list) if (!had.has(e)) connect.add(n2 + p, e, 1);
  }

  // Mention CSR by passage.
  const mentionStart = new Int32Array(passageCount + 1);
  let mentionTotal = graph.mentionEntity.length;
  for (const [p, list] of newMentions)
    mentionTotal += list.length - (p < oldPassages ? graph.mentionStart[p + 1]! - graph.mentionStart[p]! : 0);
  const mentionEntity = new Int32Array(mentionTotal);
  for (let p = 0, at = 0; p < passageCount; p++) {
    mentionStart[p] = at;
    const list = newMentions.get(p);
    if (list) {
      mentionEntity.set(list, at);
      at += list.length;
    } else if (p < oldPassages) {
      const from = graph.mentionStart[p]!;
      const to = graph.mentionStart[p + 1]!;
      mentionEntity.set(graph.mentionEntity.subarray(from, to), at);
      at += to - from;
    }
    mentionStart[p + 1] = at;
  }

  const sparse = patchSparseGraph(graph.graph, n, k, passageCount - oldPassages, strengthen, connect);
  if (!sparse) return null;
  return {
    character: graph.character,
    version: changes.version,
    entityIds,
    entityNames,
    indexOf,
    graph: sparse,
    relationEdges,
    synonymEdges,
    passageIds,
    passageIndex,
    mentionStart,
    mentionEntity,
    entityPassages,
  };
}

/**
 * The CSR graph with `k` entity nodes inserted after the first `n` (later nodes, the passages,
 * shifted by `k`), `extraPassages` nodes appended, `connect` added as new undirected entries and
 * `strengthen`'s weights added to an existing entry of each pair (node numbers already the new
 * ones). Entries of a row keep their order; new ones follow. Null when a pair to strengthen has
 * no entry.
 */
function patchSparseGraph(
  old: SparseGraph,
  n: number,
  k: number,
  extraPassages: number,
  strengthen: Additions,
  connect: Additions,
): SparseGraph | null {
  const nodeCount = old.nodeCount + k + extraPassages;
  const oldRow = (v: number) => (v < n ? v : v >= n + k ? v - k : -1); // -1: a new entity
  const remap = (u: number) => (u < n ? u : u + k);
  const oldNodes = old.nodeCount;
  const added = connect.x.length;
  // Count the entries per new row.
  const start = new Int32Array(nodeCount + 1);
  for (let v = 0; v < nodeCount; v++) {
    const r = oldRow(v);
    if (r >= 0 && r < oldNodes) start[v + 1] = old.inStart[r + 1]! - old.inStart[r]!;
  }
  for (let i = 0; i < added; i++) {
    const x = connect.x[i]!;
    const y = connect.y[i]!;
    start[y + 1]!++;
    if (x !== y) start[x + 1]!++;
  }
  for (let v = 0; v < nodeCount; v++) start[v + 1]! += start[v]!;
  const entryCount = start[nodeCount]!;
  const inSource = new Int32Array(entryCount);
  const inWeight = new Float64Array(entryCount);
  const outWeight = new Float64Array(nodeCount);
  const fill = new Int32Array(nodeCount);
  // Old entries, sources renumbered.
  for (let v = 0; v < nodeCount; v++) {
    const r = oldRow(v);
    let at = start[v]!;
    if (r >= 0 && r < oldNodes) {
      const from = old.inStart[r]!;
      const to = old.inStart[r + 1]!;
      if (k === 0) inSource.set(old.inSource.subarray(from, to), at);
      else for (let e = from; e < to; e++) inSource[at + e - from] = remap(old.inSource[e]!);
      inWeight.set(old.inWeight.subarray(from, to), at);
      outWeight[v] = old.outWeight[r]!;
      at += to - from;
    }
    fill[v] = at;
  }
  // Existing pairs gaining co-occurrences: the weight goes on one entry of the pair each way.
  const bump = (row: number, source: number, w: number) => {
    for (let e = start[row]!; e < fill[row]!; e++)
      if (inSource[e] === source) {
        inWeight[e]! += w;
        return true;
      }
    return false;
  };
  for (let i = 0; i < strengthen.x.length; i++) {
    const x = strengthen.x[i]!;
    const y = strengthen.y[i]!;
    const w = strengthen.w[i]!;
    // A pair with co-occurrences before has its entries; none means the graph is not the one
    // the changes start from.
    if (!bump(y, x, w) || !bump(x, y, w)) return null;
    outWeight[x]! += w;
    outWeight[y]! += w;
  }
  for (let i = 0; i < added; i++) {
    const x = connect.x[i]!;
    const y = connect.y[i]!;
    const w = connect.w[i]!;
    let at = fill[y]!++;
    inSource[at] = x;
    inWeight[at] = w;
    outWeight[x]! += w;
    if (x !== y) {
      at = fill[x]!++;
      inSource[at] = y;
      inWeight[at] = w;
      outWeight[y]! += w;
    }
  }
  return { nodeCount, entryCount, inStart: start, inSource, inWeight, outWeight };
}
