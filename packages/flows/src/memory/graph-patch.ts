// A character graph moved to a later version by what was inserted since (`loadGraphChanges`),
// instead of being built again from a whole snapshot. The result walks as the graph a full build
// of the later version gives (the same nodes, edges and weights; node numbers differ: new entities
// and passages are appended rather than sorted in), checked against full builds by the tests.
// Cost: one pass over the CSR entries (copied with the passage nodes shifted past the new
// entities) and the identifier maps, against the snapshot, sorts and CSR build of a full load.
import type { MemoryGraphChanges } from '@monsteros/relational';
import { type CharacterGraph, once } from './character-graph.js';
import { createEntityDictionary } from './entity-mentions.js';
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
  const indexOf = graph.indexOf.extend(entities.ids);
  if (!indexOf) return null;
  const n2 = n + k;
  const entityIds = k === 0 ? graph.entityIds : graph.entityIds.concat(entities.ids);
  const entityNames = k === 0 ? graph.entityNames : graph.entityNames.concat(entities.names);

  // Triples as node indices; passages first named by a new triple are appended.
  const oldPassages = graph.passageIds.length;
  const t = triples.subject.length;
  const subjects = new Int32Array(t);
  const objects = new Int32Array(t);
  const newPassageIds: string[] = [];
  const newPassage = new Map<string, number>();
  const passageOf = new Int32Array(t);
  for (let i = 0; i < t; i++) {
    const s = indexOf.get(triples.subject[i]!);
    const o = indexOf.get(triples.object[i]!);
    if (s === undefined || o === undefined) return null;
    subjects[i] = s;
    objects[i] = o;
    const id = triples.passage[i]!;
    let p = graph.passageIndex.get(id) ?? newPassage.get(id);
    if (p === undefined) {
      p = oldPassages + newPassageIds.length;
      newPassage.set(id, p);
      newPassageIds.push(id);
    }
    passageOf[i] = p;
  }
  const passageIndex = graph.passageIndex.extend(newPassageIds);
  if (!passageIndex) return null;
  const passageIds = newPassageIds.length === 0 ? graph.passageIds : graph.passageIds.concat(newPassageIds);
  const passageCount = passageIds.length;

  // Passage -> entities it newly mentions (mention lists sorted by entity, as a full build's).
  const mentioned = new Map<number, Set<number>>();
  for (let i = 0; i < t; i++) {
    const p = passageOf[i]!;
    const set = mentioned.get(p) ?? new Set<number>();
    mentioned.set(p, set.add(subjects[i]!).add(objects[i]!));
  }
  const entityPassages = new Int32Array(n2);
  entityPassages.set(graph.entityPassages);
  const newMentions = new Map<number, { list: number[]; added: number[] }>();
  for (const [p, set] of mentioned) {
    const before =
      p < oldPassages ? graph.mentionEntity.subarray(graph.mentionStart[p]!, graph.mentionStart[p + 1]!) : [];
    const had = new Set(before);
    const added = [...set].filter((e) => !had.has(e));
    if (added.length === 0) continue;
    for (const e of added) entityPassages[e]!++;
    newMentions.set(p, { list: [...before, ...added].sort((a, b) => a - b), added });
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
  for (const [p, { added }] of newMentions) for (const e of added) connect.add(n2 + p, e, 1);

  // Mention CSR by passage: the old one copied in blocks between the passages that changed.
  const mentionStart = new Int32Array(passageCount + 1);
  let mentionTotal = graph.mentionEntity.length;
  for (const { added } of newMentions.values()) mentionTotal += added.length;
  const mentionEntity = new Int32Array(mentionTotal);
  const changed = [...newMentions.keys()].sort((a, b) => a - b);
  let at = 0;
  let p = 0;
  const copyOld = (until: number) => {
    // Old passages p .. until - 1, unchanged: their entries and starts shifted by `at - from`.
    const last = Math.min(until, oldPassages);
    if (p >= last) return;
    const from = graph.mentionStart[p]!;
    const to = graph.mentionStart[last]!;
    mentionEntity.set(graph.mentionEntity.subarray(from, to), at);
    const shift = at - from;
    for (let q = p; q < last; q++) mentionStart[q + 1] = graph.mentionStart[q + 1]! + shift;
    at += to - from;
    p = last;
  };
  for (const c of changed) {
    copyOld(c);
    // New passages between: no mentions yet.
    for (; p < c; p++) mentionStart[p + 1] = at;
    const { list } = newMentions.get(c)!;
    mentionEntity.set(list, at);
    at += list.length;
    mentionStart[c + 1] = at;
    p = c + 1;
  }
  copyOld(passageCount);
  for (; p < passageCount; p++) mentionStart[p + 1] = at;

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
    dictionary: extendDictionary(graph.dictionary, entities.names, n, entityNames),
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
  const oldNodes = old.nodeCount;
  const nodeCount = oldNodes + k + extraPassages;
  const added = connect.x.length;
  // Entries added per row.
  const extra = new Int32Array(nodeCount);
  for (let i = 0; i < added; i++) {
    extra[connect.y[i]!]!++;
    if (connect.x[i] !== connect.y[i]) extra[connect.x[i]!]!++;
  }
  const rows = [...new Set([...connect.x, ...connect.y])].sort((a, b) => a - b);
  // Row starts: old row lengths (old row r is new row r below n, r + k from n on) plus the extras.
  const start = new Int32Array(nodeCount + 1);
  const oldStart = old.inStart;
  for (let v = 0; v < nodeCount; v++) {
    const r = v < n ? v : v - k;
    const length = v < n || (v >= n + k && r < oldNodes) ? oldStart[r + 1]! - oldStart[r]! : 0;
    start[v + 1] = start[v]! + length + extra[v]!;
  }
  const entryCount = start[nodeCount]!;
  const inSource = new Int32Array(entryCount);
  const inWeight = new Float64Array(entryCount);
  const outWeight = new Float64Array(nodeCount);
  outWeight.set(old.outWeight.subarray(0, n), 0);
  outWeight.set(old.outWeight.subarray(n), n + k);
  // Old entries in blocks of rows with no additions (contiguous in both layouts), renumbered.
  const copyRows = (fromRow: number, toRow: number) => {
    // New rows fromRow .. toRow - 1, all old ones on the same side of the inserted entities.
    if (fromRow >= toRow) return;
    const r0 = fromRow < n ? fromRow : fromRow - k;
    const r1 = toRow <= n ? toRow : toRow - k;
    const from = oldStart[r0]!;
    const to = oldStart[r1]!;
    const into = start[fromRow]!;
    inWeight.set(old.inWeight.subarray(from, to), into);
    if (k === 0) inSource.set(old.inSource.subarray(from, to), into);
    else
      for (let e = from, j = into; e < to; e++, j++) {
        const u = old.inSource[e]!;
        inSource[j] = u < n ? u : u + k;
      }
  };
  const fill = new Int32Array(rows.length); // where each row with additions continues
  let row = 0;
  // Segments: [0, n) and [n + k, n + k + oldNodes - n) hold old rows; new entity and passage rows are empty.
  const segments: Array<[number, number]> = [
    [0, n],
    [n + k, oldNodes + k],
  ];
  for (const [lo, hi] of segments) {
    let from = lo;
    for (; row < rows.length && rows[row]! < hi; row++) {
      const v = rows[row]!;
      if (v < lo) {
        fill[row] = start[v]!;
        continue;
      }
      copyRows(from, v + 1);
      const r = v < n ? v : v - k;
      fill[row] = start[v]! + oldStart[r + 1]! - oldStart[r]!;
      from = v + 1;
    }
    copyRows(from, hi);
  }
  for (; row < rows.length; row++) fill[row] = start[rows[row]!]!;
  const rowAt = new Map(rows.map((v, i) => [v, i]));
  // Existing pairs gaining co-occurrences: the weight goes on one entry of the pair each way.
  const bump = (row: number, source: number, w: number) => {
    const end = rowAt.has(row) ? fill[rowAt.get(row)!]! : start[row + 1]!;
    for (let e = start[row]!; e < end; e++)
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
    let at = fill[rowAt.get(y)!]!++;
    inSource[at] = x;
    inWeight[at] = w;
    outWeight[x]! += w;
    if (x !== y) {
      at = fill[rowAt.get(x)!]!++;
      inSource[at] = y;
      inWeight[at] = w;
      outWeight[y]! += w;
    }
  }
  return { nodeCount, entryCount, inStart: start, inSource, inWeight, outWeight };
}

/** Unbuilt dictionaries waiting on their predecessor's, by thunk: how long that chain is. */
const pendingDepth = new WeakMap<CharacterGraph['dictionary'], number>();

/** Longest chain of unbuilt extensions: past it, a version's dictionary is built whole. */
const MAX_PENDING = 32;

/**
 * The names dictionary of a patched graph: its predecessor's, extended with the new names (nodes
 * from `n`), both built on first use. When dictionaries go unused for many versions (queries that
 * bring their own entities), one is built whole from `allNames` instead of after a long chain.
 */
function extendDictionary(
  previous: CharacterGraph['dictionary'],
  names: readonly string[],
  n: number,
  allNames: readonly string[],
): CharacterGraph['dictionary'] {
  if (names.length === 0) return previous;
  const depth = (pendingDepth.get(previous) ?? 0) + 1;
  if (depth > MAX_PENDING)
    return once(() => createEntityDictionary(allNames.map((name, node) => [name, node] as const)));
  const thunk = once(() => {
    pendingDepth.delete(thunk);
    return previous().extend(names.map((name, i) => [name, n + i] as const));
  });
  pendingDepth.set(thunk, depth);
  return thunk;
}
