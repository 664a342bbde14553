import { badRequest, formatError, LocalQdrantError, validationError, wrongInput } from '../errors.js';
import { compileFilter, type Predicate } from '../filter/compile.js';
import type { Collection } from './collection.js';
import { exampleQuery, mmr, parseMmr, topByScore } from './example-queries.js';
import { compileFormula } from './formula.js';
import { comparePointIds, parsePointId } from './ids.js';
import { valuesAt } from './json-path.js';
import type { MultiVectorStore } from './multi-vector-store.js';
import { quantizedSearchOf } from './quantized-search.js';
import { parseSparse, type SparseIndex, type SparseVector } from './sparse-index.js';
import { clampCount } from './validate.js';
import { externalScore, internalThreshold, type VectorStore } from './vector-store.js';

/** One result row before rendering: the point's slot and its score as Qdrant reports it. */
export interface Hit {
  slot: number;
  score: number;
  /** The payload value an `order_by` query sorted on. */
  order?: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The shape shared by QueryRequest and Prefetch. */
export interface QueryStage {
  prefetch?: unknown;
  query?: unknown;
  using?: string | null;
  filter?: unknown;
  params?: unknown;
  score_threshold?: number | null;
  limit?: number | null;
  offset?: number | null;
  lookup_from?: unknown;
}

/** Resolves `using` to the vector store it names, with Qdrant's message for an unknown name. */
export function storeFor(col: Collection, using: string | null | undefined): VectorStore {
  const name = using ?? '';
  const store = col.dense.get(name);
  if (!store) {
    if (col.sparseNames.has(name)) throw wrongInput('Conversion between sparse and regular vectors failed');
    if (col.multi.has(name))
      throw badRequest(`multivector \`${name}\` is served by nearest queries only in the local mode`);
    throw wrongInput(`Not existing vector name error: ${name}`);
  }
  return store;
}

/** Checks a dense vector: numbers only, finite, of the store's dimension. */
export function checkDense(v: unknown, store: VectorStore, where: string): ArrayLike<number> {
  // In process, float arrays are taken as they are (no copy into a number[] first).
  if (!Array.isArray(v) && !isFloatArray(v)) throw formatError(`${where}: expected an array of numbers`);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number')
      throw formatError(`${where}[${i}]: invalid type: ${x === null ? 'null' : typeof x}, expected f32`);
    if (!Number.isFinite(x))
      throw formatError(`${where}[${i}]: vector component ${x} is not a finite number`);
  }
  if (v.length !== store.dim)
    throw wrongInput(`Vector dimension error: expected dim: ${store.dim}, got ${v.length}`);
  return v;
}

/** A `Float32Array` or `Float64Array`: what an in-process caller may pass as a dense vector. */
export const isFloatArray = (v: unknown): v is Float32Array | Float64Array =>
  v instanceof Float32Array || v instanceof Float64Array;

function resolveVector(col: Collection, input: unknown, store: VectorStore, using: string): Float32Array {
  if (typeof input === 'number' || typeof input === 'string') {
    const id = parsePointId(input);
    const slot = col.slotOf.get(id);
    if (slot === undefined) throw new LocalQdrantError(404, `Not found: No point with id ${id} found`);
    const v = store.get(slot);
    if (!v) throw badRequest(`Point ${id} has no vector \`${using}\``);
    return Float32Array.from(v);
  }
  if (isObject(input)) {
    if ('indices' in input) {
      throw wrongInput(
        col.dense.has(using)
          ? 'Conversion between sparse and regular vectors failed'
          : `Not existing vector name error: ${using}`,
      );
    }
    if ('text' in input || 'image' in input || 'object' in input) {
      throw badRequest('inference (Document/Image/InferenceObject) is not supported by the local mode');
    }
    throw formatError('query: data did not match any variant of untagged enum QueryInterface');
  }
  if (Array.isArray(input) && Array.isArray(input[0]))
    throw badRequest('multivector search is not supported by the local mode');
  return store.prepare(checkDense(input, store, 'query'));
}

/** A multivector query: rows given (a plain vector is one row), or the stored rows of a point id. */
function resolveMulti(col: Collection, input: unknown, store: MultiVectorStore): Float32Array {
  if (typeof input === 'number' || typeof input === 'string' || typeof input === 'bigint') {
    const id = parsePointId(input);
    const slot = col.slotOf.get(id);
    if (slot === undefined) throw new LocalQdrantError(404, `Not found: No point with id ${id} found`);
    const rows = store.get(slot);
    if (!rows) throw badRequest(`Point ${id} has no multivector`);
    return rows;
  }
  return store.prepare(input, 'query', true);
}

/** The sparse query: given `{indices, values}`, or the stored sparse vector of a point id. */
function resolveSparse(col: Collection, input: unknown, index: SparseIndex, using: string): SparseVector {
  if (typeof input === 'number' || typeof input === 'string') {
    const id = parsePointId(input);
    const slot = col.slotOf.get(id);
    if (slot === undefined) throw new LocalQdrantError(404, `Not found: No point with id ${id} found`);
    const v = index.get(slot);
    if (!v) throw badRequest(`Point ${id} has no vector \`${using}\``);
    return v;
  }
  if (isObject(input) && 'indices' in input) return parseSparse(input, 'query.?');
  if (Array.isArray(input)) throw wrongInput('Conversion between sparse and regular vectors failed');
  throw formatError('query: data did not match any variant of untagged enum QueryInterface');
}

const list = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

function limitOf(v: unknown, fallback: number, field: string): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'bigint' && v >= 0n) return clampCount(v);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw formatError(`${field}: invalid value ${String(v)}, expected an unsigned integer`);
  }
  return clampCount(v);
}

const byScoreDesc = (col: Collection) => (a: Hit, b: Hit) =>
  b.score - a.score || comparePointIds(col.ids[a.slot]!, col.ids[b.slot]!);

/** The filters a stage inherits from the stages around it: compiled, and raw for index narrowing. */
export interface Scope {
  predicate: Predicate;
  filters: readonly unknown[];
}

/**
 * Runs one stage of the Query API: its prefetches first (each with the outer filter merged in),
 * then its own query over the prefetched candidates, or over the whole collection when there
 * are none. `root` stages honour `offset`.
 */
export function runQuery(col: Collection, stage: QueryStage, outer: Scope | null, root: boolean): Hit[] {
  const stageFilter = excludeQueriedPoint(stage);
  const own =
    stageFilter === undefined || stageFilter === null ? null : compileFilter(stageFilter, col.filterContext);
  const outerPred = outer?.predicate ?? null;
  const filter: Predicate | null = own && outerPred ? (p) => outerPred(p) && own(p) : (own ?? outerPred);
  const filters = own ? [...(outer?.filters ?? []), stageFilter] : (outer?.filters ?? []);
  const scope: Scope | null = filter ? { predicate: filter, filters } : null;
  const limit = limitOf(stage.limit, 10, 'limit');
  const offset = root ? limitOf(stage.offset, 0, 'offset') : 0;
  // Never more result slots than points: a limit of u64::MAX must not size an allocation.
  const k = Math.min(limit + offset, col.high);
  const threshold = stage.score_threshold ?? null;
  if (stage.lookup_from !== undefined && stage.lookup_from !== null)
    throw badRequest('lookup_from is not supported by the local mode');
  const prefetches = list(stage.prefetch).map((p, i) => {
    if (!isObject(p)) throw formatError(`prefetch[${i}]: expected a Prefetch object`);
    return p as QueryStage;
  });
  const q = stage.query;
  checkStage(q, prefetches.length, stage);
  const fused = prefetches.map((p) => runQuery(col, p, scope, false));
  const accept = col.acceptor(filter);
  let hits: Hit[];

  const candidates = (): number[] => {
    const seen = new Set<number>();
    for (const list of fused) for (const h of list) seen.add(h.slot);
    return [...seen].filter((s) => col.live[s] === 1);
  };

  if (q === undefined || q === null) {
    if (prefetches.length === 0) {
      hits = [];
      for (const slot of col.slotsInIdOrder(filters)) {
        if (hits.length >= k) break;
        if (accept(slot)) hits.push({ slot, score: 0 });
      }
    } else {
      const seen = new Set<number>();
      hits = [];
      for (const list of fused) {
        for (const h of list) {
          if (seen.has(h.slot)) continue;
          seen.add(h.slot);
          hits.push(h);
        }
      }
    }
    return applyThreshold(hits, threshold).slice(offset, k);
  }

  // A sparse vector `{indices, values}` is a nearest query too (the shorthand of `{nearest: …}`).
  const nearestInput =
    isObject(q) && 'nearest' in q ? q.nearest : isObject(q) && !('indices' in q) ? undefined : q;
  if (nearestInput !== undefined) {
    const using = stage.using ?? '';
    const sparseIndex = col.sparseIndexes.get(using);
    const diverse = isObject(q) ? parseMmr(q.mmr, k) : null;
    if (diverse && sparseIndex !== undefined)
      throw badRequest('MMR over sparse vectors is not supported by the local mode');
    if (sparseIndex !== undefined) {
      const query = sparseIndex.weights(resolveSparse(col, nearestInput, sparseIndex, using), col.count);
      const floor = threshold ?? Number.NEGATIVE_INFINITY;
      const heap =
        prefetches.length === 0
          ? sparseIndex.search(query, k, col.high, accept, floor)
          : sparseIndex.searchSlots(query, k, candidates(), accept, floor);
      return heap
        .sorted()
        .map((h) => ({ slot: h.slot, score: h.score }))
        .slice(offset, k);
    }
    const multiStore = col.multi.get(using);
    if (multiStore) {
      if (diverse) throw badRequest('MMR over multivectors is not supported by the local mode');
      const query = resolveMulti(col, nearestInput, multiStore);
      const pool = prefetches.length > 0 ? candidates() : col.slotsInIdOrder(filters);
      const present = multiStore.present;
      return topByScore(
        pool.filter((slot) => present[slot] === 1 && accept(slot)),
        k,
        (slot) => multiStore.maxSim(query, slot),
        threshold ?? Number.NEGATIVE_INFINITY,
      ).slice(offset, k);
    }
    const store = storeFor(col, using);
    const vector = resolveVector(col, nearestInput, store, using);
    const floor = internalThreshold(threshold, store.distance);
    // MMR picks among more nearest candidates than it returns (`candidates_limit`).
    const kk = diverse ? Math.min(Math.max(diverse.candidates, k), col.high) : k;
    let scored: Array<{ slot: number; score: number }>;
    if (prefetches.length === 0) {
      // Deleted slots have their vectors cleared, so without a filter `present` alone is enough.
      // An indexed equality filter narrows the scan to its candidates; each is still fully checked.
      const narrowed = filter ? col.narrow(filters) : null;
      // int8 codes (quantization_config) for full scans; index-narrowed candidates are few: exact.
      const quantized = quantizedSearchOf(stage.params, store);
      const heap =
        narrowed === null
          ? quantized === null
            ? store.search(vector, kk, col.high, filter ? accept : null, floor)
            : store.searchQuantized(vector, kk, quantized, col.high, filter ? accept : null, floor)
          : store.searchSlots(vector, kk, narrowed.slots, narrowed.exact ? null : accept, floor);
      scored = heap.sorted();
    } else {
      // The prefetched candidates are scored by the same kernel as a plain search, so a point
      // scores the same (float32) in a prefetch as in a query without one.
      const slots = Int32Array.from(candidates()).sort();
      scored = store.searchSlots(vector, kk, slots, accept, floor).sorted();
    }
    if (diverse) scored = mmr(scored, (h) => h.score, store, diverse.diversity, k);
    hits = scored.map((h) => ({ slot: h.slot, score: externalScore(h.score, store.distance) }));
    return hits.slice(offset, k);
  }

  if (isObject(q) && ('recommend' in q || 'discover' in q || 'context' in q)) {
    const using = stage.using ?? '';
    const store = storeFor(col, using);
    const plan = exampleQuery(col, q, store, using)!;
    const excluded = new Set<number>();
    for (const id of plan.exclude) {
      const slot = col.slotOf.get(id);
      if (slot !== undefined) excluded.add(slot);
    }
    const take = (slot: number) => !excluded.has(slot) && accept(slot);
    if (plan.kind === 'nearest') {
      const vector = store.prepare(plan.vector);
      const floor = internalThreshold(threshold, store.distance);
      const heap =
        prefetches.length === 0
          ? store.search(vector, k, col.high, take, floor)
          : store.searchSlots(vector, k, Int32Array.from(candidates()).sort(), take, floor);
      return heap
        .sorted()
        .map((h) => ({ slot: h.slot, score: externalScore(h.score, store.distance) }))
        .slice(offset, k);
    }
    const pool = prefetches.length > 0 ? candidates() : col.slotsInIdOrder(filters);
    const present = store.present;
    return topByScore(
      pool.filter((slot) => present[slot] === 1 && take(slot)),
      k,
      plan.score,
      threshold ?? Number.NEGATIVE_INFINITY,
    ).slice(offset, k);
  }

  if (!isObject(q))
    throw formatError('query: data did not match any variant of untagged enum QueryInterface');

  if ('fusion' in q || 'rrf' in q) {
    if (prefetches.length === 0) throw badRequest('Fusion queries need at least one prefetch');
    if (q.fusion === 'dbsf') {
      hits = dbsf(col, fused);
    } else if (q.fusion === 'rrf' || isObject(q.rrf)) {
      const params = isObject(q.rrf) ? q.rrf : {};
      const kk = params.k === undefined || params.k === null ? 2 : params.k;
      if (typeof kk !== 'number' || !Number.isInteger(kk) || kk < 1)
        throw formatError('rrf.k: expected an integer >= 1');
      let weights: number[] | null = null;
      if (params.weights !== undefined && params.weights !== null) {
        if (!Array.isArray(params.weights) || !params.weights.every((w) => typeof w === 'number')) {
          throw formatError('rrf.weights: expected an array of numbers');
        }
        if (params.weights.length !== fused.length) {
          throw badRequest(
            `Number of weights in RRF should match number of pre-fetches: got ${params.weights.length}, expected ${fused.length}`,
          );
        }
        weights = params.weights as number[];
      }
      hits = rrf(col, fused, kk, weights);
    } else {
      throw formatError(`fusion: unknown variant ${JSON.stringify(q.fusion)}, expected \`rrf\` or \`dbsf\``);
    }
    return applyThreshold(
      hits.filter((h) => accept(h.slot)),
      threshold,
    ).slice(offset, k);
  }

  if ('formula' in q) {
    if (prefetches.length === 0) throw badRequest('A formula query needs at least one prefetch to rescore');
    const defaults = isObject(q.defaults) ? q.defaults : {};
    const formula = compileFormula(q.formula, defaults, col.filterContext);
    const maps = fused.map((list) => new Map(list.map((h) => [h.slot, h.score])));
    hits = [];
    for (const slot of candidates()) {
      if (!accept(slot)) continue;
      const score = formula({ point: col.view(slot), prefetchScore: (i) => maps[i]?.get(slot) });
      hits.push({ slot, score });
    }
    hits.sort(byScoreDesc(col));
    return applyThreshold(hits, threshold).slice(offset, k);
  }

  if ('order_by' in q) {
    const ob = typeof q.order_by === 'string' ? { key: q.order_by } : q.order_by;
    if (!isObject(ob) || typeof ob.key !== 'string')
      throw formatError('order_by: expected a key or {key, direction}');
    const pool = prefetches.length > 0 ? candidates() : col.slotsInIdOrder(filters);
    hits = orderBy(col, pool.filter(accept), ob.key, ob.direction === 'desc', ob.start_from).map((h) => ({
      slot: h.slot,
      score: 0,
      order: h.value,
    }));
    return hits.slice(offset, k);
  }

  if ('sample' in q) {
    const pool = (prefetches.length > 0 ? candidates() : col.slotsInIdOrder(filters)).filter(accept);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    return pool.slice(offset, k).map((slot) => ({ slot, score: 0 }));
  }

  for (const unsupported of ['relevance_feedback']) {
    if (unsupported in q) throw badRequest(`\`${unsupported}\` queries are not supported by the local mode`);
  }
  throw formatError('query: data did not match any variant of untagged enum QueryInterface');
}

/** The checks Qdrant makes on each stage before running it (400 `Bad request: …`, its wording). */
function checkStage(q: unknown, prefetches: number, stage: QueryStage): void {
  if (prefetches > 0 && (q === undefined || q === null))
    throw badRequest(
      "A query is needed to merge the prefetches. Can't have prefetches without defining a query.",
    );
  if (stage.score_threshold !== undefined && stage.score_threshold !== null) {
    if (q === undefined || q === null)
      throw badRequest(
        "A query is needed to use the score_threshold. Can't have score_threshold without defining a query.",
      );
    if (isObject(q) && 'order_by' in q) throw badRequest("Can't use score_threshold with an order_by query.");
  }
  if (
    isObject(q) &&
    ('fusion' in q || 'rrf' in q) &&
    stage.using !== undefined &&
    stage.using !== null &&
    stage.using !== ''
  )
    throw badRequest("Fusion queries cannot be combined with the 'using' field.");
  if (isObject(stage.params) && stage.params.hnsw_ef !== undefined && stage.params.hnsw_ef !== null) {
    const ef = stage.params.hnsw_ef;
    if (ef === 0 || ef === 0n) throw validationError('params.hnsw_ef: value 0 invalid, must be 1 or larger');
  }
}

/**
 * A stage whose query is a point id leaves that point out of its results, as Qdrant does (the
 * exclusion is part of the stage's filter, so the prefetches below it leave it out too).
 */
function excludeQueriedPoint(stage: QueryStage): unknown {
  const q = stage.query;
  const input = isObject(q) && 'nearest' in q ? q.nearest : q;
  if (typeof input !== 'number' && typeof input !== 'string') return stage.filter;
  const notIt = { has_id: [parsePointId(input)] };
  return stage.filter === undefined || stage.filter === null
    ? { must_not: [notIt] }
    : { must: [stage.filter], must_not: [notIt] };
}

function applyThreshold(hits: Hit[], threshold: number | null): Hit[] {
  return threshold === null ? hits : hits.filter((h) => h.score >= threshold);
}

/** Reciprocal rank fusion as Qdrant 1.19 scores it: Σ 1 / ((rank+1)/weight + k − 1), rank from 0. */
function rrf(col: Collection, lists: Hit[][], k: number, weights: number[] | null): Hit[] {
  const scores = new Map<number, number>();
  lists.forEach((list, i) => {
    const w = weights ? weights[i]! : 1;
    list.forEach((h, pos) => {
      const s = w <= 0 ? 0 : 1 / ((pos + 1) / w + k - 1);
      scores.set(h.slot, (scores.get(h.slot) ?? 0) + s);
    });
  });
  return [...scores].map(([slot, score]) => ({ slot, score })).sort(byScoreDesc(col));
}

/** Distribution-based score fusion: each list scaled by mean ± 3σ (sample σ) to [0, 1], then summed. */
function dbsf(col: Collection, lists: Hit[][]): Hit[] {
  const scores = new Map<number, number>();
  for (const list of lists) {
    let norm: (s: number) => number;
    if (list.length === 0) continue;
    if (list.length === 1) norm = () => 0.5;
    else {
      const mean = list.reduce((s, h) => s + h.score, 0) / list.length;
      const variance = list.reduce((s, h) => s + (h.score - mean) ** 2, 0) / (list.length - 1);
      const sd = Math.sqrt(variance);
      const lo = mean - 3 * sd;
      const hi = mean + 3 * sd;
      norm = hi === lo ? () => 0.5 : (s) => (s - lo) / (hi - lo);
    }
    for (const h of list) scores.set(h.slot, (scores.get(h.slot) ?? 0) + norm(h.score));
  }
  return [...scores].map(([slot, score]) => ({ slot, score })).sort(byScoreDesc(col));
}

/** Orders slots by a numeric (or datetime) payload value; Qdrant requires a range index on the key. */
function orderBy(
  col: Collection,
  slots: number[],
  key: string,
  desc: boolean,
  startFrom: unknown,
): Array<{ slot: number; value: number }> {
  const index = col.indexes.get(key);
  if (!index || !['integer', 'float', 'datetime'].includes(index.data_type)) {
    throw badRequest(
      `No range index for \`order_by\` key: \`${key}\`. Please create one to use \`order_by\`. Check https://qdrant.tech/documentation/concepts/indexing/#payload-index to see which payload schemas support Range conditions`,
    );
  }
  const start =
    typeof startFrom === 'number'
      ? startFrom
      : typeof startFrom === 'string'
        ? Date.parse(startFrom) / 1000
        : null;
  const rows: Array<{ slot: number; value: number }> = [];
  for (const slot of slots) {
    // A point appears once per value of a multi-valued key, as in Qdrant.
    for (const v of valuesAt(col.payloads[slot]!, key)) {
      const n =
        typeof v === 'number'
          ? v
          : typeof v === 'string' && index.data_type === 'datetime'
            ? Date.parse(v) / 1000
            : Number.NaN;
      if (Number.isNaN(n)) continue;
      if (start !== null && (desc ? n > start : n < start)) continue;
      rows.push({ slot, value: n });
    }
  }
  rows.sort(
    (a, b) =>
      (desc ? b.value - a.value : a.value - b.value) || comparePointIds(col.ids[a.slot]!, col.ids[b.slot]!),
  );
  return rows;
}
