// Synonym edges among a batch of new entities computed in process, exactly (the same cosine the
// vector store computes), for a character whose memory was empty before the ingest: no search per
// entity against the store. Embeddings that are sparse (the built-in lexical embedder fills about
// 33 of 768 dimensions of an entity name) are compared through an inverted index over their
// non-zero dimensions, which touches only pairs sharing a dimension; dense ones (a semantic model)
// are not handled here (`null`), and the caller searches the store per entity instead. Only part
// of each embedding is indexed (prefix filtering, below).

/** An edge between two entities of the batch, with their cosine similarity. */
export interface SynonymCandidate {
  entity_a_id: string;
  entity_b_id: string;
  similarity: number;
}

/** Above this share of non-zero dimensions the inverted index stops paying. */
const SPARSE_SHARE = 1 / 8;

/**
 * An entity's prefix (kept out of the index) is as long as its L2 norm stays below this share of
 * the threshold: 0.7 keeps about a third of the non-zeros of the musique-dev entity names out of
 * the index (8,504 names, warm, load average 7: 0.31–0.35 s against 0.45–0.52 s when every
 * non-zero is indexed; the same 722 edges, the same similarities to the bit).
 */
const PREFIX_SHARE = 0.7;

/** Scores this close to the threshold are summed again exactly (see `exactDot`). */
const MARGIN = 1e-9;

/** Σ a_d · b_d in dimension order, in double precision. */
function exactDot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let d = 0; d < a.length; d++) sum += a[d]! * b[d]!;
  return sum;
}

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

  // Prefix filtering (the all-pairs similarity search of Bayardo et al., with Anastasiu and
  // Karypis's L2 bound): dimensions ordered from the most frequent; an entity's leading non-zeros
  // whose L2 norm stays below threshold / (largest norm) are kept aside (its prefix), the rest
  // indexed. By Cauchy-Schwarz the prefix alone gives any other entity less than the threshold,
  // so a pair at or above it shares an indexed dimension and is found; its score is completed
  // with the prefix. The long postings of the frequent dimensions mostly stay out of the index.
  const frequency = new Int32Array(dims);
  let maxNorm = 0;
  for (const v of vectors) {
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const x = v[d]!;
      if (x === 0) continue;
      frequency[d]!++;
      norm += x * x;
    }
    maxNorm = Math.max(maxNorm, Math.sqrt(norm));
  }
  const order = Int32Array.from({ length: dims }, (_, d) => d).sort(
    (a, b) => frequency[b]! - frequency[a]! || a - b,
  );
  // Squared, and below by a margin: rounding never drops a pair at the threshold.
  const bound = threshold > 0 ? ((PREFIX_SHARE * threshold) / maxNorm) ** 2 : 0;

  // Postings per dimension, (entity, value) in CSR by dimension (room for every non-zero), filled
  // as entities are scored: entity i is compared with the entities before it only, so each pair is
  // computed once. Prefixes in CSR by entity.
  const start = new Int32Array(dims + 1);
  for (let d = 0; d < dims; d++) start[d + 1] = start[d]! + frequency[d]!;
  const end = start.slice(0, dims);
  const entity = new Int32Array(nonZero);
  const value = new Float32Array(nonZero);
  const prefixStart = new Int32Array(n + 1);
  /** The L2 norm of each entity's prefix: the most its prefix adds to a score (times maxNorm). */
  const prefixNorm = new Float64Array(n);
  const prefixDim = new Int32Array(nonZero);
  const prefixValue = new Float32Array(nonZero);

  const dot = new Float64Array(n);
  const seen = new Uint8Array(n);
  const touched = new Int32Array(n);
  const similar: Array<Array<{ j: number; score: number }>> = Array.from({ length: n }, () => []);
  let prefixed = 0;
  for (let i = 0; i < n; i++) {
    const v = vectors[i]!;
    let count = 0;
    for (let d = 0; d < dims; d++) {
      const x = v[d]!;
      if (x === 0) continue;
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
      let score = dot[j]!;
      // The prefix can add at most |prefix| · |v|: completed only when that could reach the threshold.
      if (score + prefixNorm[j]! * maxNorm >= threshold - MARGIN) {
        for (let k = prefixStart[j]!; k < prefixStart[j + 1]!; k++)
          score += v[prefixDim[k]!]! * prefixValue[k]!;
        // At or near the threshold: the cosine summed in dimension order, as the store (and a
        // plain comparison of the two vectors) does, decides, so rounding never moves an edge.
        if (score >= threshold - MARGIN) score = exactDot(v, vectors[j]!);
      } else score = -1;
      if (score >= threshold) {
        similar[i]!.push({ j, score });
        similar[j]!.push({ j: i, score });
      }
      dot[j] = 0;
      seen[j] = 0;
    }
    // Index i: its prefix aside, the rest in the postings.
    let b = 0;
    let indexing = false;
    for (let r = 0; r < dims; r++) {
      const d = order[r]!;
      const x = v[d]!;
      if (x === 0) continue;
      if (!indexing) {
        const next = b + x * x;
        if (next < bound) {
          b = next;
          prefixDim[prefixed] = d;
          prefixValue[prefixed++] = x;
          continue;
        }
        indexing = true;
      }
      entity[end[d]!] = i;
      value[end[d]!++] = x;
    }
    prefixStart[i + 1] = prefixed;
    prefixNorm[i] = Math.sqrt(b);
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
