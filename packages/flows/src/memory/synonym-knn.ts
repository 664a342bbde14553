// Synonym edges among a batch of new entities computed in process, exactly (the same cosine the
// vector store computes), for a character whose memory was empty before the ingest: no search per
// entity against the store. Embeddings that are sparse (the built-in lexical embedder fills about
// 33 of 768 dimensions of an entity name) are compared through an inverted index over their
// non-zero dimensions, which touches only pairs sharing a dimension; dense ones (a semantic model)
// are not handled here (`null`), and the caller searches the store per entity instead.

/** An edge between two entities of the batch, with their cosine similarity. */
export interface SynonymCandidate {
  entity_a_id: string;
  entity_b_id: string;
  similarity: number;
}

/** Above this share of non-zero dimensions the inverted index stops paying. */
const SPARSE_SHARE = 1 / 8;

/**
 * For each entity, its `neighbors` most similar others with cosine ≥ `threshold` (unit vectors
 * expected, as the embedders return), or null when the vectors are too dense for this path.
 * @example
 * const edges = batchSynonyms(ids, vectors, 0.8, 10); // [{ entity_a_id, entity_b_id, similarity }]
 */
export function batchSynonyms(
  ids: readonly string[],
  vectors: readonly Float32Array[],
  threshold: number,
  neighbors: number,
): SynonymCandidate[] | null {
  const n = ids.length;
  if (n < 2) return [];
  const dims = vectors[0]!.length;
  let nonZero = 0;
  for (const v of vectors) for (let d = 0; d < dims; d++) if (v[d] !== 0) nonZero++;
  if (nonZero > SPARSE_SHARE * n * dims) return null;

  // Postings per dimension, (entity, value) in CSR by dimension, filled as entities are scored:
  // entity i is compared with the entities before it only, so each pair is computed once.
  const start = new Int32Array(dims + 1);
  for (const v of vectors) for (let d = 0; d < dims; d++) if (v[d] !== 0) start[d + 1]!++;
  for (let d = 0; d < dims; d++) start[d + 1]! += start[d]!;
  const end = start.slice(0, dims);
  const entity = new Int32Array(nonZero);
  const value = new Float32Array(nonZero);

  const dot = new Float64Array(n);
  const seen = new Uint8Array(n);
  const touched = new Int32Array(n);
  const similar: Array<Array<{ j: number; score: number }>> = Array.from({ length: n }, () => []);
  const nonZeroDims = new Int32Array(dims);
  for (let i = 0; i < n; i++) {
    const v = vectors[i]!;
    let count = 0;
    let own = 0;
    for (let d = 0; d < dims; d++) {
      const x = v[d]!;
      if (x === 0) continue;
      nonZeroDims[own++] = d;
      for (let k = start[d]!; k < end[d]!; k++) {
        const j = entity[k]!;
        if (seen[j] === 0) {
          seen[j] = 1;
          touched[count++] = j;
        }
        dot[j]! += x * value[k]!;
      }
    }
    for (let t = 0; t < count; t++) {
      const j = touched[t]!;
      const score = dot[j]!;
      if (score >= threshold) {
        similar[i]!.push({ j, score });
        similar[j]!.push({ j: i, score });
      }
      dot[j] = 0;
      seen[j] = 0;
    }
    for (let k = 0; k < own; k++) {
      const d = nonZeroDims[k]!;
      entity[end[d]!] = i;
      value[end[d]!++] = v[d]!;
    }
  }
  const edges: SynonymCandidate[] = [];
  for (let i = 0; i < n; i++) {
    const hits = similar[i]!;
    hits.sort((a, b) => b.score - a.score || a.j - b.j);
    for (const { j, score } of hits.slice(0, neighbors))
      edges.push({ entity_a_id: ids[i]!, entity_b_id: ids[j]!, similarity: Math.min(1, Math.max(0, score)) });
  }
  return edges;
}
