import { badRequest, formatError, LocalQdrantError } from '../errors.js';
import type { Collection } from './collection.js';
import { type PointId, parsePointId } from './ids.js';
import { TopK } from './top-k.js';
import type { VectorStore } from './vector-store.js';

/**
 * The Query API's example-based queries over one dense vector name, scored as Qdrant 1.19 does
 * (lib/segment/src/vector_storage/query): `recommend` (average_vector, best_score, sum_scores),
 * `discover` (target + context pairs) and `context` (pairs only), and MMR reranking of a nearest
 * query. Similarities are the internal ones (larger is better; Euclid is −distance²).
 */

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** x / (1 + |x|): Qdrant's fast sigmoid, in (−1, 1). */
const fastSigmoid = (x: number) => x / (1 + Math.abs(x));
/** The fast sigmoid moved to (0, 1). */
const scaledFastSigmoid = (x: number) => 0.5 * (fastSigmoid(x) + 1);

/** An example of an example query: the vector to compare with, and the point id it came from. */
interface Example {
  vector: Float32Array;
  id: PointId | null;
}

/** What `exampleQuery` asks of the caller: a nearest search, or a scan with a per-point score. */
export type ExamplePlan =
  | { kind: 'nearest'; vector: Float32Array; exclude: PointId[] }
  | { kind: 'score'; score: (slot: number) => number; exclude: PointId[] };

function example(col: Collection, store: VectorStore, input: unknown, using: string, where: string): Example {
  if (typeof input === 'number' || typeof input === 'string' || typeof input === 'bigint') {
    const id = parsePointId(input);
    const slot = col.slotOf.get(id);
    if (slot === undefined) throw new LocalQdrantError(404, `Not found: No point with id ${id} found`);
    const v = store.get(slot);
    if (!v) throw badRequest(`Point ${id} has no vector \`${using}\``);
    return { vector: Float32Array.from(v), id };
  }
  if (!Array.isArray(input) || !input.every((x) => typeof x === 'number' && Number.isFinite(x)))
    throw formatError(`${where}: expected a point id or a vector of numbers`);
  if (input.length !== store.dim)
    throw new LocalQdrantError(
      400,
      `Wrong input: Vector dimension error: expected dim: ${store.dim}, got ${input.length}`,
    );
  return { vector: store.prepare(input as number[]), id: null };
}

const examples = (
  col: Collection,
  store: VectorStore,
  v: unknown,
  using: string,
  where: string,
): Example[] => {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw formatError(`${where}: expected a list of point ids or vectors`);
  return v.map((x, i) => example(col, store, x, using, `${where}[${i}]`));
};

function pairs(col: Collection, store: VectorStore, v: unknown, using: string, where: string) {
  const list = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
  return list.map((p, i) => {
    if (!isObject(p)) throw formatError(`${where}[${i}]: expected {positive, negative}`);
    return {
      positive: example(col, store, p.positive, using, `${where}[${i}].positive`),
      negative: example(col, store, p.negative, using, `${where}[${i}].negative`),
    };
  });
}

const ids = (list: Example[]): PointId[] => list.flatMap((e) => (e.id === null ? [] : [e.id]));

/**
 * Reads a `recommend`, `discover` or `context` query into a plan; null for any other query.
 * Points given as examples by id are left out of the results, as in Qdrant.
 */
export function exampleQuery(
  col: Collection,
  q: Record<string, unknown>,
  store: VectorStore,
  using: string,
): ExamplePlan | null {
  const sim = (e: Example) => (slot: number) => store.internalScore(e.vector, slot);
  if ('recommend' in q) {
    const r = isObject(q.recommend) ? q.recommend : null;
    if (!r) throw formatError('query.recommend: expected {positive, negative, strategy}');
    const positive = examples(col, store, r.positive, using, 'query.recommend.positive');
    const negative = examples(col, store, r.negative, using, 'query.recommend.negative');
    const exclude = ids([...positive, ...negative]);
    const strategy = r.strategy ?? 'average_vector';
    if (strategy === 'average_vector') {
      if (positive.length === 0)
        throw badRequest('At least one positive vector ID required with this strategy');
      return { kind: 'nearest', vector: averageVector(positive, negative), exclude };
    }
    if (positive.length === 0 && negative.length === 0)
      throw badRequest('At least one positive or negative vector ID required with this strategy');
    const pos = positive.map(sim);
    const neg = negative.map(sim);
    if (strategy === 'best_score') {
      return {
        kind: 'score',
        exclude,
        score: (slot) => {
          let bestPos = Number.NEGATIVE_INFINITY;
          let bestNeg = Number.NEGATIVE_INFINITY;
          for (const s of pos) bestPos = Math.max(bestPos, s(slot));
          for (const s of neg) bestNeg = Math.max(bestNeg, s(slot));
          return bestPos > bestNeg ? scaledFastSigmoid(bestPos) : -scaledFastSigmoid(bestNeg);
        },
      };
    }
    if (strategy === 'sum_scores') {
      return {
        kind: 'score',
        exclude,
        score: (slot) => {
          let s = 0;
          for (const f of pos) s += f(slot);
          for (const f of neg) s -= f(slot);
          return s;
        },
      };
    }
    throw formatError(
      `query.recommend.strategy: unknown variant \`${String(strategy)}\`, expected one of \`average_vector\`, \`best_score\`, \`sum_scores\``,
    );
  }
  if ('discover' in q) {
    const d = isObject(q.discover) ? q.discover : null;
    if (!d || d.target === undefined) throw formatError('query.discover: expected {target, context}');
    const target = example(col, store, d.target, using, 'query.discover.target');
    const context = pairs(col, store, d.context, using, 'query.discover.context');
    const t = sim(target);
    const ps = context.map((p) => ({ pos: sim(p.positive), neg: sim(p.negative) }));
    return {
      kind: 'score',
      exclude: ids([target, ...context.flatMap((p) => [p.positive, p.negative])]),
      score: (slot) => {
        let rank = 0;
        for (const p of ps) rank += Math.sign(p.pos(slot) - p.neg(slot));
        return rank + scaledFastSigmoid(t(slot));
      },
    };
  }
  if ('context' in q) {
    const context = pairs(col, store, q.context, using, 'query.context');
    if (context.length === 0) throw badRequest('At least one context pair required');
    const ps = context.map((p) => ({ pos: sim(p.positive), neg: sim(p.negative) }));
    return {
      kind: 'score',
      exclude: ids(context.flatMap((p) => [p.positive, p.negative])),
      score: (slot) => {
        let loss = 0;
        // Qdrant's margin is f32::EPSILON: a point exactly between a pair is still on the wrong side.
        for (const p of ps) loss += fastSigmoid(Math.min(p.pos(slot) - p.neg(slot) - 1.1920929e-7, 0));
        return loss;
      },
    };
  }
  return null;
}

/** Qdrant's average_vector: avg(positive) + (avg(positive) − avg(negative)) when there are negatives. */
function averageVector(positive: Example[], negative: Example[]): Float32Array {
  const avg = (list: Example[]) => {
    const out = new Float64Array(list[0]!.vector.length);
    for (const e of list) for (let i = 0; i < out.length; i++) out[i]! += e.vector[i]! / list.length;
    return out;
  };
  const p = avg(positive);
  if (negative.length === 0) return Float32Array.from(p);
  const n = avg(negative);
  return Float32Array.from(p, (x, i) => x + x - n[i]!);
}

/** The best `k` of `slots` by `score` (at least `floor`), best first; ties by slot. */
export function topByScore(
  slots: Iterable<number>,
  k: number,
  score: (slot: number) => number,
  floor: number,
): Array<{ slot: number; score: number }> {
  const heap = new TopK(k);
  for (const slot of slots) {
    const s = score(slot);
    if (s >= floor) heap.push(s, slot);
  }
  return heap.sorted();
}

/**
 * Maximal marginal relevance over nearest candidates (best first): the most relevant first, then
 * each time the candidate maximising λ·relevance − (1 − λ)·max similarity to those chosen, with
 * λ = 1 − diversity. Each keeps its own nearest score, as Qdrant answers.
 */
export function mmr<T extends { slot: number }>(
  candidates: T[],
  relevance: (c: T) => number,
  store: VectorStore,
  diversity: number,
  limit: number,
): T[] {
  if (candidates.length < 2) return candidates.slice(0, limit);
  const lambda = 1 - diversity;
  const remaining = [...candidates];
  const chosen: T[] = [];
  /** Per remaining candidate's slot: its highest similarity to a chosen one. */
  const maxSim = new Map<number, number>();
  while (chosen.length < limit && remaining.length > 0) {
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    remaining.forEach((c, i) => {
      const s =
        chosen.length === 0 ? relevance(c) : lambda * relevance(c) - (1 - lambda) * (maxSim.get(c.slot) ?? 0);
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    });
    const picked = remaining.splice(best, 1)[0]!;
    chosen.push(picked);
    const v = store.get(picked.slot);
    if (!v) continue;
    for (const c of remaining) {
      const sim = store.internalScore(v, c.slot);
      maxSim.set(c.slot, Math.max(maxSim.get(c.slot) ?? Number.NEGATIVE_INFINITY, sim));
    }
  }
  return chosen;
}

/** Reads `mmr: {diversity = 0.5, candidates_limit = limit}` of a nearest query; null when absent. */
export function parseMmr(v: unknown, limit: number): { diversity: number; candidates: number } | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw formatError('query.mmr: expected {diversity, candidates_limit}');
  const diversity = v.diversity ?? 0.5;
  if (typeof diversity !== 'number' || diversity < 0 || diversity > 1)
    throw new LocalQdrantError(
      422,
      'Validation error in JSON body: [query.mmr.diversity: value must be between 0 and 1]',
    );
  const c = v.candidates_limit ?? limit;
  if (typeof c !== 'number' || !Number.isInteger(c) || c < 0)
    throw formatError('query.mmr.candidates_limit: expected an unsigned integer');
  return { diversity, candidates: Math.max(c, limit) };
}
