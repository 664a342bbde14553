// Expected scores computed from the definitions, independently of the engine's code.

export const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));
export const normalized = (a: number[]) => a.map((x) => x / norm(a));
export const cosine = (a: number[], b: number[]) => dot(a, b) / (norm(a) * norm(b));
export const euclid = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0));
export const manhattan = (a: number[], b: number[]) => a.reduce((s, x, i) => s + Math.abs(x - b[i]!), 0);

/** Ids of `points` ranked by `score`, best first (`larger` false for distances). */
export function rank<T extends { id: number | string }>(
  points: T[],
  score: (p: T) => number,
  larger = true,
): Array<{ id: number | string; score: number }> {
  return points
    .map((p) => ({ id: p.id, score: score(p) }))
    .sort((a, b) => (larger ? b.score - a.score : a.score - b.score));
}

/** Reciprocal rank fusion of ranked id lists: Σ 1 / ((position + 1) / weight + k − 1), position from 0. */
export function rrf(
  lists: Array<Array<number | string>>,
  k = 2,
  weights?: number[],
): Map<number | string, number> {
  const out = new Map<number | string, number>();
  lists.forEach((list, i) => {
    const w = weights?.[i] ?? 1;
    list.forEach((id, pos) => {
      out.set(id, (out.get(id) ?? 0) + 1 / ((pos + 1) / w + k - 1));
    });
  });
  return out;
}

/** Distribution-based score fusion: each list mapped from [mean − 3σ, mean + 3σ] (sample σ) to [0, 1], summed. */
export function dbsf(
  lists: Array<Array<{ id: number | string; score: number }>>,
): Map<number | string, number> {
  const out = new Map<number | string, number>();
  for (const list of lists) {
    const n = list.length;
    const mean = list.reduce((s, h) => s + h.score, 0) / n;
    const sd = Math.sqrt(list.reduce((s, h) => s + (h.score - mean) ** 2, 0) / (n - 1));
    for (const h of list) {
      const v = n === 1 ? 0.5 : (h.score - (mean - 3 * sd)) / (6 * sd);
      out.set(h.id, (out.get(h.id) ?? 0) + v);
    }
  }
  return out;
}

/** The decay functions of Qdrant's formula queries: 1 at the target, `midpoint` at `scale` away. */
export const linDecay = (x: number, target: number, scale: number, midpoint = 0.5) =>
  Math.max(0, 1 - ((1 - midpoint) / scale) * Math.abs(x - target));
export const expDecay = (x: number, target: number, scale: number, midpoint = 0.5) =>
  midpoint ** (Math.abs(x - target) / scale);
export const gaussDecay = (x: number, target: number, scale: number, midpoint = 0.5) =>
  midpoint ** ((x - target) ** 2 / scale ** 2);
