// One character's memory graph, ready to walk, as HippoRAG 2 builds it: entity nodes (relation
// edges weighted by the passages a pair co-occurs in, synonym edges by similarity) and passage
// nodes (an edge of weight 1 to each entity the passage mentions), in CSR form; the passages'
// entity lists, and how many passages mention each entity (node specificity). Built from the raw
// triples with typed-array sorts: no object or string key per triple.
import type { MemoryRepository } from '@monsteros/relational';
import { createEntityDictionary, type EntityDictionary } from './entity-mentions.js';
import { IdIndex } from './id-index.js';
import { buildSparseGraph, type SparseGraph } from './sparse-graph.js';

/** What `relational.memory.loadGraphSnapshot` returns: the graph in columnar rows. */
export type MemoryGraphSnapshot = Awaited<ReturnType<MemoryRepository['loadGraphSnapshot']>>;

/** A character's graph built for PPR and passage scoring. Immutable; shared by concurrent retrievals. */
export interface CharacterGraph {
  character: string;
  /** The graph version it was built from (0: no memory). */
  version: number;
  /** Node index -> entity id / name (ordered by id). */
  entityIds: string[];
  entityNames: string[];
  /** Entity id -> node index (shared with the graph's later versions: `IdIndex`). */
  indexOf: IdIndex;
  /** Entity nodes are `0 .. entityCount - 1`; passage p is node `entityCount + p`. */
  graph: SparseGraph;
  relationEdges: number;
  synonymEdges: number;
  /** Passage index -> passage id. */
  passageIds: string[];
  /** Passage id -> passage index. */
  passageIndex: IdIndex;
  /** Entities of passage p: `mentionEntity[mentionStart[p] .. mentionStart[p + 1]]`. */
  mentionStart: Int32Array;
  mentionEntity: Int32Array;
  /** How many passages mention each entity. */
  entityPassages: Int32Array;
  /**
   * The entity names as a dictionary (name -> nodes) for finding them in queries: built on first
   * use, once per version; a patched version extends its predecessor's.
   */
  dictionary(): EntityDictionary<number>;
}

/**
 * `build` run once, on the first call (what `CharacterGraph.dictionary` is), then its result;
 * `build` is dropped after it ran, with whatever it held.
 */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let pending: (() => T) | null = build;
  return () => {
    if (pending) {
      value = pending();
      pending = null;
    }
    return value as T;
  };
}

/**
 * Builds the walkable graph from a snapshot. Rows naming an entity the snapshot does not hold
 * (impossible inside one repeatable-read snapshot) are skipped rather than trusted. Passages are
 * numbered in order of first mention; a passage without triples has no node to reach it.
 * @example
 * const graph = buildCharacterGraph('sage', snapshot);
 */
export function buildCharacterGraph(character: string, snapshot: MemoryGraphSnapshot): CharacterGraph {
  const { entityIds, entityNames, triples, synonyms } = snapshot;
  const n = entityIds.length;
  const indexOf = IdIndex.of(entityIds);

  // Triples as node and passage indices (passages numbered in order of first mention).
  const t = triples.subject.length;
  const subject = new Int32Array(t);
  const object = new Int32Array(t);
  const passageOf = new Int32Array(t);
  const passageIndex = new Map<string, number>();
  const passageIds: string[] = [];
  let kept = 0;
  for (let i = 0; i < t; i++) {
    const s = indexOf.get(triples.subject[i]!);
    const o = indexOf.get(triples.object[i]!);
    if (s === undefined || o === undefined) continue;
    const id = triples.passage[i]!;
    let p = passageIndex.get(id);
    if (p === undefined) {
      p = passageIds.length;
      passageIndex.set(id, p);
      passageIds.push(id);
    }
    subject[kept] = s;
    object[kept] = o;
    passageOf[kept++] = p;
  }
  const passageCount = passageIds.length;

  // Relation edges: one per unordered pair, weighted by the distinct passages the pair co-occurs
  // in (two predicates between the same pair in one passage are one co-occurrence).
  const rows = sortedPairs(n, passageCount, subject, object, passageOf, kept);
  const pairs = rows.lo.length;
  const synonymCount = synonyms.a.length;
  // Room for the passage-entity edges too (at most two per triple).
  const capacity = pairs + synonymCount + 2 * kept;
  const from = new Int32Array(capacity);
  const to = new Int32Array(capacity);
  const weight = new Float64Array(capacity);
  let m = 0;
  for (let i = 0; i < pairs; i++) {
    const lo = rows.lo[i]!;
    const hi = rows.hi[i]!;
    if (i > 0 && lo === rows.lo[i - 1] && hi === rows.hi[i - 1]) {
      // Same pair: a new passage adds a co-occurrence, the same passage again does not.
      if (rows.passage[i] !== rows.passage[i - 1]) weight[m - 1]!++;
      continue;
    }
    from[m] = lo;
    to[m] = hi;
    weight[m++] = 1;
  }
  const relationEdges = m;
  for (let i = 0; i < synonymCount; i++) {
    const a = indexOf.get(synonyms.a[i]!);
    const b = indexOf.get(synonyms.b[i]!);
    const w = synonyms.similarity[i]!;
    if (a === undefined || b === undefined || a === b || !(w > 0)) continue;
    from[m] = a;
    to[m] = b;
    weight[m++] = w;
  }
  // Passage -> distinct entities it mentions (as subject or object), CSR by passage index.
  const mentions = new Float64Array(2 * kept);
  for (let i = 0; i < kept; i++) {
    mentions[2 * i] = passageOf[i]! * n + subject[i]!;
    mentions[2 * i + 1] = passageOf[i]! * n + object[i]!;
  }
  mentions.sort();
  const mentionStart = new Int32Array(passageCount + 1);
  const mentionEntity = new Int32Array(mentions.length);
  const entityPassages = new Int32Array(n);
  let k = 0;
  let previousMention = -1;
  for (let i = 0; i < mentions.length; i++) {
    const key = mentions[i]!;
    if (key === previousMention) continue;
    previousMention = key;
    const p = Math.floor(key / n);
    const e = key - p * n;
    mentionStart[p + 1]!++;
    mentionEntity[k++] = e;
    entityPassages[e]!++;
  }
  for (let p = 0; p < passageCount; p++) mentionStart[p + 1]! += mentionStart[p]!;
  const synonymEdges = m - relationEdges;
  for (let p = 0; p < passageCount; p++)
    for (let e = mentionStart[p]!; e < mentionStart[p + 1]!; e++) {
      from[m] = n + p;
      to[m] = mentionEntity[e]!;
      weight[m++] = 1;
    }
  const graph = buildSparseGraph(n + passageCount, {
    from: from.subarray(0, m),
    to: to.subarray(0, m),
    weight: weight.subarray(0, m),
  });

  return {
    character,
    version: snapshot.version,
    entityIds,
    entityNames,
    indexOf,
    graph,
    relationEdges,
    synonymEdges,
    passageIds,
    passageIndex: IdIndex.adopt(passageIndex),
    mentionStart,
    mentionEntity: mentionEntity.subarray(0, k),
    entityPassages,
    dictionary: once(() => createEntityDictionary(entityNames.map((name, node) => [name, node] as const))),
  };
}

/**
 * The non-loop triples as (lo, hi, passage) with lo < hi, sorted by that order, so equal pairs
 * and repeated (pair, passage) rows are adjacent. Fast path: one number per row,
 * `(lo · n + hi) · passageCount + passage`, sorted as a typed array; when that could pass 2^53
 * (about 10^5 entities with 10^6 passages) a comparator sort keeps it exact. Internal (exported
 * for its test).
 */
export function sortedPairs(
  n: number,
  passageCount: number,
  subject: Int32Array,
  object: Int32Array,
  passageOf: Int32Array,
  count: number,
  allowNumericKeys = true,
): { lo: Int32Array; hi: Int32Array; passage: Int32Array } {
  let pairs = 0;
  for (let i = 0; i < count; i++) if (subject[i] !== object[i]) pairs++;
  const lo = new Int32Array(pairs);
  const hi = new Int32Array(pairs);
  const passage = new Int32Array(pairs);
  let j = 0;
  for (let i = 0; i < count; i++) {
    const s = subject[i]!;
    const o = object[i]!;
    if (s === o) continue;
    lo[j] = Math.min(s, o);
    hi[j] = Math.max(s, o);
    passage[j++] = passageOf[i]!;
  }
  const p = Math.max(1, passageCount);
  if (allowNumericKeys && n * n * p <= Number.MAX_SAFE_INTEGER) {
    const keys = new Float64Array(pairs);
    for (let i = 0; i < pairs; i++) keys[i] = (lo[i]! * n + hi[i]!) * p + passage[i]!;
    keys.sort();
    for (let i = 0; i < pairs; i++) {
      const key = keys[i]!;
      const pair = Math.floor(key / p);
      passage[i] = key - pair * p;
      lo[i] = Math.floor(pair / n);
      hi[i] = pair % n;
    }
    return { lo, hi, passage };
  }
  const order = Array.from({ length: pairs }, (_, i) => i);
  order.sort((a, b) => lo[a]! - lo[b]! || hi[a]! - hi[b]! || passage[a]! - passage[b]!);
  return {
    lo: Int32Array.from(order, (i) => lo[i]!),
    hi: Int32Array.from(order, (i) => hi[i]!),
    passage: Int32Array.from(order, (i) => passage[i]!),
  };
}

/** A passage ranked by the PPR mass of its node. */
export interface ScoredPassage {
  /** Index into `CharacterGraph.passageIds`. */
  passage: number;
  score: number;
  /** Its entities (node indices) with their PPR mass, largest first. */
  entities: Array<{ node: number; mass: number }>;
}

/**
 * Scores every passage by the PPR mass of its node and returns the `topK` best (ties by passage
 * id, so the order is stable), each with its entities and their mass (what carried it there).
 * @example
 * const top = scorePassages(graph, ppr.scores, 5);
 */
export function scorePassages(graph: CharacterGraph, scores: Float64Array, topK: number): ScoredPassage[] {
  const { mentionStart, mentionEntity, passageIds } = graph;
  const count = passageIds.length;
  const entityCount = graph.entityIds.length;
  // A bounded min-heap of the best topK (passage index, score): O(P log K), no full sort.
  const heapP = new Int32Array(topK);
  const heapS = new Float64Array(topK);
  let size = 0;
  const worse = (i: number, j: number) =>
    heapS[i]! < heapS[j]! || (heapS[i] === heapS[j] && passageIds[heapP[i]!]! > passageIds[heapP[j]!]!);
  const swap = (i: number, j: number) => {
    const p = heapP[i]!;
    heapP[i] = heapP[j]!;
    heapP[j] = p;
    const s = heapS[i]!;
    heapS[i] = heapS[j]!;
    heapS[j] = s;
  };
  const siftDown = (start: number) => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let p = 0; p < count; p++) {
    const score = scores[entityCount + p]!;
    if (!(score > 0)) continue;
    if (size < topK) {
      heapP[size] = p;
      heapS[size] = score;
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (score > heapS[0]! || (score === heapS[0] && passageIds[p]! < passageIds[heapP[0]!]!)) {
      heapP[0] = p;
      heapS[0] = score;
      siftDown(0);
    }
  }
  const out: ScoredPassage[] = [];
  for (let i = 0; i < size; i++) {
    const p = heapP[i]!;
    const entities: Array<{ node: number; mass: number }> = [];
    for (let e = mentionStart[p]!; e < mentionStart[p + 1]!; e++) {
      const node = mentionEntity[e]!;
      entities.push({ node, mass: scores[node]! });
    }
    entities.sort((a, b) => b.mass - a.mass);
    out.push({ passage: p, score: heapS[i]!, entities });
  }
  return out.sort((a, b) =>
    b.score !== a.score ? b.score - a.score : passageIds[a.passage]! < passageIds[b.passage]! ? -1 : 1,
  );
}
